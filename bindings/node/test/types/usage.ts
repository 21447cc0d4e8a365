// Compiled with `tsc --noEmit -p test/types` only: the declarations must accept real usage and
// narrow the canonical shape. Nothing here runs.
import { readFileSync } from 'node:fs'
import {
  type Envelope,
  type EventKind,
  type EwsNotifyError,
  type GoidSummary,
  GlobalObjectId,
  StreamSplitter,
  parseNotification,
  splitEnvelopes,
  pullSubscribeRequest,
  getItemRequest,
  calendarViewRequest,
  httpHeaders,
  sendNotificationResult,
} from 'ews-notify'
import ewsNotify from 'ews-notify'

const envelope: Envelope = parseNotification(readFileSync('x.xml'), { maxBytes: 1 << 20, maxDepth: 64 })
parseNotification('<s:Envelope/>')
parseNotification(new Uint8Array(4))

switch (envelope.kind) {
  case 'fault': {
    const backOff: number | null = envelope.backOffMilliseconds
    const code: string | null = envelope.responseCode
    void backOff, code
    break
  }
  case 'getItemResponse':
  case 'findItemResponse':
    for (const message of envelope.responseMessages) {
      for (const item of message.items) {
        const uid: string | null = item.uid
        const clean: string | undefined = item.cleanGlobalObjectId?.cleanBase64
        const role: string | null = item.calendarItemType
        void uid, clean, role
      }
    }
    break
  case 'syncFolderItemsResponse':
    for (const message of envelope.responseMessages) {
      const state: string | null = message.syncState
      for (const change of message.changes) {
        const deleted: boolean = change.kind === 'delete' && change.itemId !== null
        void deleted
      }
      void state
    }
    break
  default:
    for (const message of envelope.responseMessages) {
      const status: 'Success' | 'Warning' | 'Error' = message.responseClass
      const closed: boolean = message.connectionStatus === 'Closed'
      const backOff: number | null = message.backOffMilliseconds
      for (const notification of message.notifications) {
        const id: string = notification.subscriptionId
        const more: boolean | null = notification.moreEvents
        for (const event of notification.events) {
          const kind: EventKind = event.kind
          const itemId: string | undefined = event.itemId?.id
          const changeKey: string | null | undefined = event.itemId?.changeKey
          const unread: number | null = event.unreadCount
          const name: string | undefined = event.name
          void id, more, kind, itemId, changeKey, unread, name
        }
      }
      void status, closed, backOff
    }
}

// @ts-expect-error a fault has no responseMessages
envelope.kind === 'fault' && envelope.responseMessages
// @ts-expect-error kinds are a closed union
const wrongKind: EventKind = 'renamed'

const splitter = new StreamSplitter({ maxStreamBytes: 1 << 28 })
const parts: Buffer[] = splitter.push(Buffer.from('<a/>'))
splitter.push('<a/>')
splitter.finish()
const seen: number = splitter.bytesSeen + splitter.buffered
const all: Buffer[] = splitEnvelopes(Buffer.concat(parts))

const goid = GlobalObjectId.fromBase64('BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=')
const summary: GoidSummary = goid.toJSON()
const date: string | null = goid.instanceDate
const ticks: bigint = goid.creationFiletime
const same: boolean = goid.sameMeeting(goid.clean())
const uid: string = goid.icalUid
const other: GlobalObjectId = GlobalObjectId.fromIcalUid(uid, '2024-01-31')
const firstWarning: string | undefined = goid.warnings[0]?.code
// @ts-expect-error instance dates are strings
GlobalObjectId.fromIcalUid(uid, 20240131)

const subscribe: string = pullSubscribeRequest({ eventTypes: ['created'], timeoutMinutes: 30, folders: ['calendar'] })
const get: string = getItemRequest(['AAMk', { id: 'AAMk', changeKey: null }], { version: 'Exchange2016' })
const view: string = calendarViewRequest(new Date(), new Date(), { maxEntries: 10 })
const headers: Array<[string, string]> = httpHeaders({ anchorMailbox: 'a@example.com' })
const answer: string = sendNotificationResult('Unsubscribe')
// @ts-expect-error the status is OK or Unsubscribe
sendNotificationResult('Maybe')
void subscribe, get, view, headers, answer

try {
  parseNotification('')
} catch (e) {
  const error = e as EwsNotifyError
  const where: number | null = error.offset
  const code: string = error.code
  void where, code
}

void ewsNotify.parseNotification, wrongKind, seen, all, summary, date, ticks, same, other, firstWarning
