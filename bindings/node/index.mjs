// ES module entry: the same exports as the CommonJS entry (main.js: the addon and the helpers).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const native = require('./main.js')

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
  splitStream,
} = native
export default native
