// ES module entry: the same exports as the CommonJS entry (index.js), which loads the addon.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const native = require('./index.js')

export const {
  parseNotification,
  splitEnvelopes,
  StreamSplitter,
  Correlator,
  GlobalObjectId,
  pullSubscribeRequest,
  pushSubscribeRequest,
  streamingSubscribeRequest,
  getEventsRequest,
  getStreamingEventsRequest,
  unsubscribeRequest,
  sendNotificationResult,
  getItemRequest,
  findItemByCleanGoidRequest,
  calendarViewRequest,
  syncFolderItemsRequest,
  httpHeaders,
} = native
export default native
