#!/usr/bin/env python3
"""Writes the two large corpus inputs used by the benches and the scale tests.

    python3 tests/corpus/gen/large.py          # from the repository root

- pull/get_events_1000_events.xml: one GetEventsResponse with 1,000 events of every kind
  (item and folder events, moved/copied with old ids, unread counts), MoreEvents=true.
- streaming/bodies/streaming_100_envelopes.xml: one GetStreamingEvents HTTP body with 100
  envelopes back to back (heartbeats with ConnectionStatus OK, notifications with 1-6 events,
  the last one Closed), CRLF between envelopes, as Exchange writes them.

Output is deterministic (fixed seed), so re-running it reproduces the committed bytes.
"""
import base64
import os
import random

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"
S11 = "http://schemas.xmlsoap.org/soap/envelope/"
HEADER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    f'<s:Envelope xmlns:s="{S11}">\n  <s:Header>\n'
    '    <h:ServerVersionInfo MajorVersion="15" MinorVersion="20" MajorBuildNumber="7452" '
    f'MinorBuildNumber="21" Version="V2018_01_08" xmlns:h="{T}" xmlns="{T}" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>\n'
    '  </s:Header>\n  <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n'
)
FOOTER = "  </s:Body>\n</s:Envelope>"

rng = random.Random(8)


def b64(n):
    return base64.b64encode(bytes(rng.randrange(256) for _ in range(n))).decode()


MAILBOX = b64(30)
def item_id():
    return "AAMk" + MAILBOX + "BGAAAAAAB" + b64(60)
def folder_id():
    return "AQMk" + MAILBOX + "AuAAAD" + b64(36)
FOLDERS = [folder_id() for _ in range(12)]
SUBS = [b64(48) for _ in range(3)]
watermark_n = [0x0B6C]


def watermark():
    watermark_n[0] += 1
    return base64.b64encode(b"\x01\x00\x00\x00L\xa1\xf1\xb2\xec5\x11J\xab=\x1b\xa4\x16\xcf\x1a\xf1"
                            + watermark_n[0].to_bytes(4, "little") + b"\x00\x00\x00\x01").decode()


def change_key():
    return "CQAAAB" + b64(3)


def ident(tag, id_, ind):
    return f'{ind}<t:{tag} Id="{id_}" ChangeKey="{change_key()}"/>\n'


def event(ind, second):
    kind = rng.choices(
        ["NewMailEvent", "CreatedEvent", "ModifiedEvent", "DeletedEvent", "MovedEvent",
         "CopiedEvent", "FreeBusyChangedEvent", "StatusEvent"],
        weights=[14, 20, 30, 10, 12, 4, 6, 4])[0]
    out = f"{ind}<t:{kind}>\n{ind}  <t:Watermark>{watermark()}</t:Watermark>\n"
    if kind == "StatusEvent":
        return out + f"{ind}</t:{kind}>\n"
    out += f"{ind}  <t:TimeStamp>2026-11-02T{9 + second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z</t:TimeStamp>\n"
    folder_event = kind in ("CreatedEvent", "ModifiedEvent", "MovedEvent", "CopiedEvent", "DeletedEvent") and rng.random() < 0.25
    tag = "FolderId" if folder_event else "ItemId"
    out += ident(tag, folder_id() if folder_event else item_id(), ind + "  ")
    out += ident("ParentFolderId", rng.choice(FOLDERS), ind + "  ")
    if kind in ("MovedEvent", "CopiedEvent"):
        out += ident("OldFolderId" if folder_event else "OldItemId", folder_id() if folder_event else item_id(), ind + "  ")
        out += ident("OldParentFolderId", rng.choice(FOLDERS), ind + "  ")
    if kind == "ModifiedEvent" and folder_event:
        out += f"{ind}  <t:UnreadCount>{rng.randrange(500)}</t:UnreadCount>\n"
    return out + f"{ind}</t:{kind}>\n"


def get_events_1000():
    events = "".join(event("            ", i * 7) for i in range(1000))
    first = watermark()
    return (HEADER + f'    <m:GetEventsResponse xmlns:m="{M}" xmlns:t="{T}">\n      <m:ResponseMessages>\n'
            '        <m:GetEventsResponseMessage ResponseClass="Success">\n'
            '          <m:ResponseCode>NoError</m:ResponseCode>\n          <m:Notification>\n'
            f'            <t:SubscriptionId>{SUBS[0]}</t:SubscriptionId>\n'
            f'            <t:PreviousWatermark>{first}</t:PreviousWatermark>\n'
            '            <t:MoreEvents>true</t:MoreEvents>\n' + events +
            '          </m:Notification>\n        </m:GetEventsResponseMessage>\n'
            '      </m:ResponseMessages>\n    </m:GetEventsResponse>\n' + FOOTER + "\n")


def streaming_envelope(inner):
    return (HEADER + f'    <m:GetStreamingEventsResponse xmlns:m="{M}" xmlns:t="{T}">\n      <m:ResponseMessages>\n'
            '        <m:GetStreamingEventsResponseMessage ResponseClass="Success">\n'
            '          <m:ResponseCode>NoError</m:ResponseCode>\n' + inner +
            '        </m:GetStreamingEventsResponseMessage>\n      </m:ResponseMessages>\n'
            '    </m:GetStreamingEventsResponse>\n' + FOOTER)


def streaming_100():
    envelopes = []
    for n in range(100):
        if n == 99:
            inner = "          <m:ConnectionStatus>Closed</m:ConnectionStatus>\n"
        elif n % 3 == 0:
            inner = "          <m:ConnectionStatus>OK</m:ConnectionStatus>\n"
        else:
            notes = ""
            for sub in rng.sample(SUBS, rng.randrange(1, 3)):
                events = "".join(event("                ", n * 40 + k) for k in range(rng.randrange(1, 4)))
                notes += (f"            <m:Notification>\n              <t:SubscriptionId>{sub}</t:SubscriptionId>\n"
                          + events + "            </m:Notification>\n")
            inner = "          <m:Notifications>\n" + notes + "          </m:Notifications>\n"
        envelopes.append(streaming_envelope(inner))
    return "\r\n".join(envelopes) + "\r\n"


def write(rel, text):
    with open(os.path.join(ROOT, rel), "w", encoding="utf-8", newline="") as f:
        f.write(text)


write("pull/get_events_1000_events.xml", get_events_1000())
write("streaming/bodies/streaming_100_envelopes.xml", streaming_100())
