#!/usr/bin/env python3
"""Interoperability run of `ews-notify watch` (pull, streaming) and `ews-notify listen` (push)
against a running gromox, started by .ci/steps/gromox.sh.

Environment (set by the step): EWS_GROMOX_URL, GROMOX_HTTP_PIDFILE, GROMOX_HTTP_DIR,
GROMOX_HTTP_LOG, EWS_NOTIFY_BIN. Without EWS_GROMOX_URL it prints `SKIPPED: ...` and exits 0
(with EWS_GROMOX_REQUIRED=1 it fails instead).

What it does, for alice@example.test and bob@example.test, each with its own Basic login:
1. seeds calendar items, then starts six followers of the calendar folder: watch --mode pull,
   watch --mode streaming and listen (push) for each mailbox;
2. round 1: creates a single and a recurring item, updates, moves and deletes seeded items with
   CreateItem / UpdateItem / MoveItem / DeleteItem; every follower must deliver each change;
3. round 2 right before a restart of gromox http (its data kept), round 3 right after it,
   before the followers can have noticed; every change must still reach every follower, as the
   event or as a catch-up change (SyncFolderItems) for that item;
4. binds the single and the recurring item with GetItem (the request `ews-notify request
   get-item` builds), reads them with `ews-notify parse`, and reports which GlobalObjectId
   properties gromox answers.
Prints `PASS name` / `FAIL name` lines; exits 1 on any FAIL.
"""

import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

URL = os.environ.get("EWS_GROMOX_URL")
USERS = ["alice@example.test", "bob@example.test"]
PASSWORD = "Secret123"
FAILED = []


def report(ok, name, detail=""):
    print(("PASS " if ok else "FAIL ") + name + (f": {detail}" if detail else ""), flush=True)
    if not ok:
        FAILED.append(name)


# ---- EWS requests of our own (test helpers: the project has no builders for these) ----

SOAP = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" '
    'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">'
    '<soap:Header><t:RequestServerVersion Version="Exchange2013"/></soap:Header>'
    "<soap:Body>{}</soap:Body></soap:Envelope>"
)


def post(user, xml, timeout=30):
    """POSTs a whole SOAP document as `user`; returns the answer text (HTTP 500 included)."""
    req = urllib.request.Request(URL, data=xml.encode(), method="POST")
    req.add_header("Content-Type", "text/xml; charset=utf-8")
    token = base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()
    req.add_header("Authorization", "Basic " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.read().decode()
    except urllib.error.HTTPError as e:
        return e.read().decode()


def ews(user, body):
    return post(user, SOAP.format(body))


ITEM_ID = re.compile(r'<t:ItemId Id="([^"]+)" ChangeKey="([^"]*)"')


def item_id(answer, what):
    m = ITEM_ID.search(answer)
    if not m or 'ResponseClass="Success"' not in answer:
        raise RuntimeError(f"{what} failed: {answer[:600]}")
    return m.group(1), m.group(2)


def create_item(user, subject, recurring=False):
    recurrence = ""
    if recurring:
        recurrence = (
            "<t:Recurrence><t:DailyRecurrence><t:Interval>1</t:Interval></t:DailyRecurrence>"
            "<t:NumberedRecurrence><t:StartDate>2027-03-01</t:StartDate>"
            "<t:NumberOfOccurrences>3</t:NumberOfOccurrences></t:NumberedRecurrence></t:Recurrence>"
        )
    body = (
        '<m:CreateItem SendMeetingInvitations="SendToNone">'
        '<m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId>'
        f"<m:Items><t:CalendarItem><t:Subject>{subject}</t:Subject>"
        "<t:Start>2027-03-01T09:00:00Z</t:Start><t:End>2027-03-01T10:00:00Z</t:End>"
        f"{recurrence}</t:CalendarItem></m:Items></m:CreateItem>"
    )
    return item_id(ews(user, body), f"CreateItem {subject}")


def update_item(user, iid, subject):
    body = (
        '<m:UpdateItem ConflictResolution="AlwaysOverwrite" '
        'SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange>'
        f'<t:ItemId Id="{iid[0]}"/><t:Updates><t:SetItemField>'
        '<t:FieldURI FieldURI="item:Subject"/>'
        f"<t:CalendarItem><t:Subject>{subject}</t:Subject></t:CalendarItem>"
        "</t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"
    )
    return item_id(ews(user, body), "UpdateItem")


def move_item(user, iid):
    body = (
        '<m:MoveItem><m:ToFolderId><t:DistinguishedFolderId Id="deleteditems"/></m:ToFolderId>'
        f'<m:ItemIds><t:ItemId Id="{iid[0]}"/></m:ItemIds></m:MoveItem>'
    )
    answer = ews(user, body)
    if 'ResponseClass="Success"' not in answer:
        raise RuntimeError(f"MoveItem failed: {answer[:600]}")
    return answer


def delete_item(user, iid):
    body = (
        '<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToNone">'
        f'<m:ItemIds><t:ItemId Id="{iid[0]}"/></m:ItemIds></m:DeleteItem>'
    )
    answer = ews(user, body)
    if 'ResponseClass="Success"' not in answer:
        raise RuntimeError(f"DeleteItem failed: {answer[:600]}")


# ---- the followers ----

BIN = os.environ.get("EWS_NOTIFY_BIN", "ews-notify")


class Follower:
    """One `ews-notify watch|listen` process; collects its JSON lines and stderr lines."""

    started = []

    def __init__(self, mode, user):
        self.mode, self.user = mode, user
        self.name = f"{mode}/{user.split('@')[0]}"
        common = [
            "--url", URL, "--user", user, "--password-env", "GX_PASSWORD",
            "--mailbox", user, "--folder", "calendar",
        ]
        if mode == "push":
            args = [BIN, "listen", "--port", "0", "--bind", "127.0.0.1",
                    "--secret-env", "GX_SECRET", "--status-frequency", "1", *common]
        elif mode == "pull":
            args = [BIN, "watch", "--mode", "pull", "--poll-ms", "1000", *common]
        else:
            args = [BIN, "watch", "--mode", "streaming", "--connection-timeout", "1", *common]
        env = dict(os.environ, GX_PASSWORD=PASSWORD, GX_SECRET="gx-" + user.split("@")[0],
                   RUST_LOG="info")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env, text=True)
        Follower.started.append(self)
        self.events, self.log = [], []
        self.lock = threading.Lock()
        threading.Thread(target=self._read_out, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read_out(self):
        for line in self.proc.stdout:
            try:
                d = json.loads(line)
            except ValueError:
                d = {"unreadable": line}
            with self.lock:
                self.events.append(d)

    def _read_err(self):
        for line in self.proc.stderr:
            with self.lock:
                self.log.append(line.rstrip())

    def snapshot(self):
        with self.lock:
            return list(self.events), list(self.log)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def ids_of(event):
    e = event.get("event", {})
    return {x["id"] for x in (e.get("itemId"), e.get("oldItemId")) if x}


def satisfied(follower, expect, lenient):
    """The expectations `(kinds, item id)` this follower's output does not meet yet.

    Strict: a notification of one of `kinds` for the id. Lenient (across a restart): also a
    catch-up change for the id of one of `kinds`, since SyncFolderItems reports a move out of the
    folder as a deletion and an update of an item created since the last sync state as a creation.
    """
    events, _ = follower.snapshot()
    missing = []
    for kinds, iid, what in expect:
        ok = False
        for ev in events:
            if iid not in ids_of(ev):
                continue
            kind = ev["event"]["kind"]
            if ev["origin"] == "notification" and kind in kinds:
                ok = True
            elif lenient and ev["origin"] == "catchUp" and kind in kinds:
                ok = True
        if not ok:
            missing.append(what)
    return missing


def wait_all(followers, expect, lenient, timeout):
    deadline = time.monotonic() + timeout
    while True:
        missing = {f.name: satisfied(f, expect[f.user], lenient) for f in followers}
        missing = {k: v for k, v in missing.items() if v}
        dead = [f.name for f in followers if f.proc.poll() is not None]
        if not missing or dead or time.monotonic() > deadline:
            return missing, dead
        time.sleep(1)


# ---- gromox http restart (its data kept) ----

def http_up():
    try:
        with socket.create_connection(("127.0.0.1", int(URL.split(":")[2].split("/")[0])), 1):
            return True
    except OSError:
        return False


def restart_http():
    pidfile = os.environ["GROMOX_HTTP_PIDFILE"]
    with open(pidfile) as f:
        pid = int(f.read().strip())
    os.kill(pid, signal.SIGTERM)
    while True:
        try:
            os.kill(pid, 0)
            time.sleep(0.1)
        except ProcessLookupError:
            break
        # A child of the step's shell: it stays a zombie until reaped; /proc says so.
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(")")[-1].split()[0] == "Z":
                    break
        except OSError:
            break
    log = open(os.environ["GROMOX_HTTP_LOG"], "a")
    p = subprocess.Popen(["./http"], cwd=os.environ["GROMOX_HTTP_DIR"], stdout=log,
                         stderr=subprocess.STDOUT, start_new_session=True)
    with open(pidfile, "w") as f:
        f.write(str(p.pid))
    for _ in range(300):
        if http_up() and "NoError" in ews(USERS[0], GET_FOLDER):
            return p
        time.sleep(0.1)
    raise RuntimeError("gromox http did not come back")


GET_FOLDER = (
    '<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>'
    '<m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder>'
)


# ---- calendar items: GetItem and their GOIDs ----

def goid_report(user, iid, what):
    xml = subprocess.run([BIN, "request", "get-item", "--item-id", iid[0]],
                         check=True, capture_output=True, text=True).stdout
    answer = post(user, xml)
    parsed = subprocess.run([BIN, "parse", "-"], input=answer, capture_output=True, text=True)
    if parsed.returncode != 0:
        report(False, f"GetItem {what} parses", parsed.stderr.strip())
        return None
    d = json.loads(parsed.stdout)
    msgs = d.get("responseMessages", [])
    items = msgs[0].get("items", []) if msgs else []
    report(bool(items), f"GetItem {what} parses", "" if items else parsed.stdout[:400])
    if not items:
        return None
    it = items[0]
    if os.environ.get("GROMOX_EVENTS_DIR"):
        with open(os.path.join(os.environ["GROMOX_EVENTS_DIR"], f"get-item-{what}.xml"), "w") as f:
            f.write(answer)
    keys = ["uid", "globalObjectId", "cleanGlobalObjectId", "recurrenceId",
            "originalStart", "calendarItemType", "iCalUid", "extendedProperties"]
    seen = {k: it.get(k) for k in it if it.get(k) not in (None, [], {})}
    print(f"INFO GetItem {what}: answered {sorted(seen)}; absent "
          f"{sorted(k for k in it if it.get(k) in (None, [], {}))}", flush=True)
    print(f"INFO GetItem {what}: calendarItemType={it.get('calendarItemType')} "
          f"isRecurring={it.get('isRecurring')} uid={it.get('uid')} "
          f"unknownElements={it.get('unknownElements')} extendedProperties="
          f"{[(p.get('uri') or p.get('fieldUri') or p) for p in it.get('extendedProperties', [])]}",
          flush=True)
    return it, answer


def main():
    if not URL:
        print("SKIPPED: gromox interop (EWS_GROMOX_URL not set)")
        return 1 if os.environ.get("EWS_GROMOX_REQUIRED") == "1" else 0
    t0 = time.monotonic()
    dump = os.environ.get("GROMOX_EVENTS_DIR")
    seeds = {u: [create_item(u, f"seed {i}") for i in range(6)] for u in USERS}
    modes = os.environ.get("GROMOX_MODES", "pull,streaming,push").split(",")
    followers = [Follower(m, u) for m in modes for u in USERS]
    # Each follower has subscribed once its first Subscribe went through; give them that.
    time.sleep(5)
    for f in followers:
        if f.proc.poll() is not None:
            report(False, f"{f.name} started", "\n".join(f.snapshot()[1][-10:]))

    # Round 1: nothing breaks; every change arrives as a notification.
    expect1, single, recurring = {}, {}, {}
    for u in USERS:
        s = seeds[u]
        single[u] = create_item(u, "single one")
        recurring[u] = create_item(u, "recurring one", recurring=True)
        update_item(u, s[0], "seed 0 changed")
        move_item(u, s[1])
        delete_item(u, s[2])
        expect1[u] = [
            ({"created"}, single[u][0], "created single"),
            ({"created"}, recurring[u][0], "created recurring"),
            ({"modified"}, s[0][0], "modified seed 0"),
            ({"moved", "deleted"}, s[1][0], "moved seed 1 out"),
            ({"deleted", "moved"}, s[2][0], "deleted seed 2"),
        ]
    strict = [f for f in followers if f.mode != "push"]
    created = {u: [e for e in expect1[u] if e[0] == {"created"}] for u in USERS}
    missing, dead = wait_all(strict, created, lenient=False, timeout=60)
    for f in strict:
        report(f.name not in missing and f.name not in dead,
               f"{f.name} round 1 creations delivered as notifications",
               str(missing.get(f.name, "")))
    # gromox 3.10 gives a folder subscription no item ModifiedEvent, DeletedEvent or MovedEvent
    # (docs/gromox-bugs.md): only a ModifiedEvent for the folder. Expected to fail until gromox
    # fixes it; an unexpected pass is reported as a failure so that this is noticed.
    others = {u: [e for e in expect1[u] if e[0] != {"created"}] for u in USERS}
    missing, dead = wait_all(strict, others, lenient=False, timeout=10)
    for f in strict:
        if f.name in missing and f.name not in dead:
            print(f"XFAIL {f.name} round 1 modify/move/delete as notifications (gromox bug 2): "
                  f"missing {missing[f.name]}", flush=True)
        else:
            report(False, f"{f.name} round 1 modify/move/delete as notifications",
                   "delivered: gromox bug 2 looks fixed; update the driver and docs")
    push = [f for f in followers if f.mode == "push"]
    # gromox never POSTs to push listeners: the silence detector (2 x StatusFrequency) re-creates
    # the subscription and catches up.
    missing, dead = wait_all(push, expect1, lenient=True, timeout=240)
    for f in push:
        report(f.name not in missing and f.name not in dead,
               f"{f.name} round 1 delivered (catch-up after silence)",
               str(missing.get(f.name, "")))

    # Rounds 2 and 3: changes just before and just after a restart of gromox http.
    expect2 = {}
    for u in USERS:
        s = seeds[u]
        a2 = create_item(u, "before restart")
        update_item(u, s[3], "seed 3 changed")
        move_item(u, s[4])
        delete_item(u, s[5])
        update_item(u, single[u], "single one changed")
        expect2[u] = [
            ({"created"}, a2[0], "created before restart"),
            ({"modified", "created"}, s[3][0], "modified seed 3 before restart"),
            ({"moved", "deleted"}, s[4][0], "moved seed 4 out before restart"),
            ({"deleted", "moved"}, s[5][0], "deleted seed 5 before restart"),
            ({"modified", "created"}, single[u][0], "modified single before restart"),
        ]
    restart_http()
    print(f"INFO gromox http restarted at {time.monotonic() - t0:.0f}s", flush=True)
    # Right after the restart, before the followers can have resubscribed: only creations,
    # since gromox notifies no item update or deletion (bug 2) and a follower that resubscribed
    # before them would learn of them only at its next catch-up.
    for u in USERS:
        a3 = create_item(u, "after restart")
        expect2[u] += [({"created"}, a3[0], "created after restart")]
    # Round 1's changes that gromox never notified must have come with the catch-up after the
    # restart.
    for u in USERS:
        expect2[u] += [(k, i, w + " (round 1)") for k, i, w in expect1[u]]
    missing, dead = wait_all(followers, expect2, lenient=True, timeout=300)
    for f in followers:
        report(f.name not in missing and f.name not in dead,
               f"{f.name} nothing lost across a restart", str(missing.get(f.name, "")))

    if dump:
        with open(os.path.join(dump, "ids.json"), "w") as out:
            json.dump({"seeds": seeds, "single": single, "recurring": recurring}, out)
    # Calendar items bound with GetItem, their GOIDs read.
    for u in USERS[:1]:
        goid_report(u, single[u], "single")
        goid_report(u, recurring[u], "recurring")

    for f in followers:
        f.stop()
        events, log = f.snapshot()
        if dump:
            with open(os.path.join(dump, f.name.replace("/", "-") + ".jsonl"), "w") as out:
                out.write("".join(json.dumps(e) + "\n" for e in events))
                out.write("".join(json.dumps({"stderr": line}) + "\n" for line in log))
        origins = {}
        for ev in events:
            origins[ev.get("origin")] = origins.get(ev.get("origin"), 0) + 1
        print(f"INFO {f.name}: {len(events)} events {origins}", flush=True)
        for line in log:
            if "recovery" in line or "failed" in line or "error" in line.lower():
                print(f"  {f.name} stderr: {line[:300]}", flush=True)
    print(f"INFO run took {time.monotonic() - t0:.0f}s", flush=True)
    if FAILED:
        print(f"{len(FAILED)} FAILED: {', '.join(FAILED)}")
        return 1
    print("all gromox interop checks passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        for f in Follower.started:
            f.stop()
