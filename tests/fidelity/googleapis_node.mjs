// Fidelity check: Google's own Node client library (npm `googleapis`), unchanged but for
// its endpoints, against a running gapi-emulator.
//
//   node googleapis_node.mjs BASE_URL STATE_DIR
//
// Exits non-zero on the first call that fails or answers something unexpected.
import { google } from 'googleapis';
import fs from 'node:fs';
import assert from 'node:assert/strict';

const [base, stateDir] = process.argv.slice(2);
const secret = JSON.parse(fs.readFileSync(`${stateDir}/client_secret.json`, 'utf8')).installed;
const saved = JSON.parse(fs.readFileSync(`${stateDir}/token.json`, 'utf8'));

// Only the token endpoint and the API root differ from talking to Google.
const auth = new google.auth.OAuth2({
  clientId: secret.client_id,
  clientSecret: secret.client_secret,
  endpoints: { oauth2TokenUrl: secret.token_uri },
});
auth.setCredentials({ refresh_token: saved.refresh_token }); // forces a refresh_token grant
const rootUrl = `${base}/`;
const gmail = google.gmail({ version: 'v1', auth, rootUrl });
const calendar = google.calendar({ version: 'v3', auth, rootUrl });

const mime = [
  'From: user1@example.com',
  'To: Bob <user2@example.com>',
  'Subject: =?UTF-8?B?zpPOtc65zrEgz4POv8+F?=',
  `Message-ID: <node-${Date.now()}@example.com>`,
  'Content-Type: text/plain; charset=UTF-8',
  '',
  'Sent by googleapis for Node.',
  '',
].join('\r\n');
const raw = Buffer.from(mime).toString('base64url');

const sent = await gmail.users.messages.send({ userId: 'me', requestBody: { raw } });
assert.equal(sent.status, 200);
assert.match(sent.data.id, /^[0-9a-f]{16}$/);
assert.ok(sent.data.labelIds.includes('SENT'));
console.log(`messages.send (JSON raw): id ${sent.data.id}, labels ${sent.data.labelIds.join(',')}`);

// The library's media upload: multipart/related to /upload/gmail/v1/... The library
// builds upload URLs from the per-call rootUrl only (the per-API one is not applied to them).
const uploaded = await gmail.users.messages.send(
  {
    userId: 'me',
    requestBody: {},
    media: { mimeType: 'message/rfc822', body: mime.replace('node-', 'node-upload-') },
  },
  { rootUrl },
);
assert.equal(uploaded.status, 200);
console.log(`messages.send (upload): id ${uploaded.data.id}`);

const labels = await gmail.users.labels.list({ userId: 'me' });
assert.ok(labels.data.labels.some((l) => l.id === 'INBOX'));
console.log(`labels.list: ${labels.data.labels.length} labels`);

const found = await gmail.users.messages.list({ userId: 'me', q: 'in:sent', maxResults: 10 });
assert.ok(found.data.messages.length >= 2);
const got = await gmail.users.messages.get({ userId: 'me', id: sent.data.id, format: 'metadata' });
const subject = got.data.payload.headers.find((h) => h.name === 'Subject');
console.log(`messages.list + get: ${found.data.messages.length} sent, subject header ${JSON.stringify(subject.value)}`);

const now = new Date();
const events = await calendar.events.list({
  calendarId: 'primary',
  timeMin: now.toISOString(),
  maxResults: 10,
  singleEvents: true,
  orderBy: 'startTime',
});
assert.equal(events.data.kind, 'calendar#events');
console.log(`events.list: ${events.data.items.length} upcoming events on primary`);

const inserted = await calendar.events.insert({
  calendarId: 'primary',
  requestBody: {
    id: `node${Date.now()}`,
    summary: 'Fidelity check',
    start: { dateTime: new Date(now.getTime() + 3600e3).toISOString() },
    end: { dateTime: new Date(now.getTime() + 7200e3).toISOString() },
  },
});
assert.equal(inserted.data.status, 'confirmed');

const busy = await calendar.freebusy.query({
  requestBody: {
    timeMin: now.toISOString(),
    timeMax: new Date(now.getTime() + 7 * 86400e3).toISOString(),
    items: [{ id: 'primary' }, { id: 'nobody@example.com' }],
  },
});
const primary = busy.data.calendars[Object.keys(busy.data.calendars).find((k) => k !== 'nobody@example.com')];
assert.ok(primary.busy.length >= 1);
assert.equal(busy.data.calendars['nobody@example.com'].errors[0].reason, 'notFound');
console.log(`freebusy.query: ${primary.busy.length} busy periods; unknown calendar -> notFound`);

// Errors surface as the library's GaxiosError with Google's body.
try {
  await gmail.users.messages.get({ userId: 'me', id: 'ffffffffffffffff' });
  assert.fail('expected 404');
} catch (e) {
  assert.equal(e.status ?? e.code, 404);
  console.log(`messages.get unknown id: ${e.status ?? e.code} ${e.errors?.[0]?.reason ?? e.message}`);
}
// Methods the generated layer added to the emulator.
const attachment = Buffer.from([...Array(3000).keys()].map((i) => (i * 13) % 256));
const withAttachment = [
  'From: user1@example.com',
  'To: user2@example.com',
  'Subject: attachment',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=UTF-8',
  '',
  'See the attachment.',
  '--b1',
  'Content-Type: application/octet-stream',
  'Content-Disposition: attachment; filename="data.bin"',
  'Content-Transfer-Encoding: base64',
  '',
  attachment.toString('base64'),
  '--b1--',
  '',
].join('\r\n');
const carrier = await gmail.users.messages.send({
  userId: 'me',
  requestBody: { raw: Buffer.from(withAttachment).toString('base64url') },
});
const full = await gmail.users.messages.get({ userId: 'me', id: carrier.data.id, format: 'full' });
const part = full.data.payload.parts.find((p) => p.filename === 'data.bin');
const body = await gmail.users.messages.attachments.get({
  userId: 'me',
  messageId: carrier.data.id,
  id: part.body.attachmentId,
});
assert.deepEqual(Buffer.from(body.data.data, 'base64url'), attachment);
console.log(`messages.attachments.get: ${body.data.size} bytes, as sent`);

const starred = await gmail.users.messages.modify({
  userId: 'me',
  id: carrier.data.id,
  requestBody: { addLabelIds: ['STARRED'] },
});
assert.ok(starred.data.labelIds.includes('STARRED'));
const thread = await gmail.users.threads.get({ userId: 'me', id: carrier.data.threadId });
assert.equal(thread.data.messages[0].id, carrier.data.id);
console.log('messages.modify, threads.get: ok');

const created = await calendar.calendars.insert({ requestBody: { summary: 'Node calendar' } });
assert.match(created.data.id, /@group\.calendar\.google\.com$/);
const weekly = await calendar.events.insert({
  calendarId: created.data.id,
  requestBody: {
    summary: 'Weekly',
    start: { dateTime: '2026-12-07T09:00:00Z' },
    end: { dateTime: '2026-12-07T10:00:00Z' },
    recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
  },
});
const instances = await calendar.events.instances({ calendarId: created.data.id, eventId: weekly.data.id });
assert.equal(instances.data.items.length, 3);
await calendar.calendars.delete({ calendarId: created.data.id });
console.log('calendars.insert, events.instances (3), calendars.delete: ok');

console.log('googleapis for Node works against the emulator');
