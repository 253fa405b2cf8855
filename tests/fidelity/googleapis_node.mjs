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

// The rest of what the emulator serves, as Node's client sends it.
const users = gmail.users;
const label = (await users.labels.create({ userId: 'me', requestBody: { name: 'googleapis-node' } })).data;
assert.equal((await users.labels.get({ userId: 'me', id: label.id })).data.name, 'googleapis-node');
assert.equal((await users.labels.patch({ userId: 'me', id: label.id, requestBody: { name: 'patched' } })).data.name, 'patched');
assert.equal((await users.labels.update({ userId: 'me', id: label.id, requestBody: { name: 'updated' } })).data.name, 'updated');
await users.labels.delete({ userId: 'me', id: label.id });
assert.ok((await users.messages.trash({ userId: 'me', id: carrier.data.id })).data.labelIds.includes('TRASH'));
assert.ok(!(await users.messages.untrash({ userId: 'me', id: carrier.data.id })).data.labelIds.includes('TRASH'));
const start = (await users.getProfile({ userId: 'me' })).data.historyId;
const plain = Buffer.from('From: a@elsewhere.example\r\nTo: user1@example.com\r\nSubject: inserted\r\n\r\nx\r\n').toString('base64url');
const insertedMessage = (await users.messages.insert({ userId: 'me', requestBody: { raw: plain, labelIds: ['INBOX'] } })).data;
const importedMessage = (await users.messages.import({ userId: 'me', requestBody: { raw: plain } })).data;
await users.messages.batchModify({
  userId: 'me',
  requestBody: { ids: [insertedMessage.id, importedMessage.id], addLabelIds: ['IMPORTANT'] },
});
const changes = (await users.history.list({ userId: 'me', startHistoryId: start })).data;
assert.ok(changes.history.length >= 3, `history.list: ${changes.history.length} records`);
assert.ok((await users.threads.list({ userId: 'me' })).data.threads.length > 0);
await users.threads.modify({ userId: 'me', id: insertedMessage.threadId, requestBody: { addLabelIds: ['STARRED'] } });
await users.threads.trash({ userId: 'me', id: insertedMessage.threadId });
await users.threads.untrash({ userId: 'me', id: insertedMessage.threadId });
await users.messages.delete({ userId: 'me', id: insertedMessage.id });
await users.messages.batchDelete({ userId: 'me', requestBody: { ids: [importedMessage.id] } });
await users.threads.delete({ userId: 'me', id: carrier.data.threadId });
const draft = (await users.drafts.create({ userId: 'me', requestBody: { message: { raw: plain } } })).data;
const updatedDraft = (await users.drafts.update({ userId: 'me', id: draft.id, requestBody: { message: { raw: plain } } })).data;
assert.equal(updatedDraft.id, draft.id);
const aliases = (await users.settings.sendAs.list({ userId: 'me' })).data.sendAs;
assert.ok((await users.settings.sendAs.get({ userId: 'me', sendAsEmail: aliases[0].sendAsEmail })).data.isPrimary);
await users.watch({ userId: 'me', requestBody: { topicName: 'projects/p/topics/t' } });
await users.stop({ userId: 'me' });
console.log('gmail: labels get/patch/update/delete, trash, untrash, history, insert, import, batchModify, ' +
  'threads list/modify/trash/untrash/delete, delete, batchDelete, drafts.update, sendAs, watch, stop: ok');

const other = (await calendar.calendars.insert({ requestBody: { summary: 'node', timeZone: 'Europe/Athens' } })).data;
assert.equal((await calendar.calendars.get({ calendarId: other.id })).data.timeZone, 'Europe/Athens');
await calendar.calendars.patch({ calendarId: other.id, requestBody: { description: 'patched' } });
await calendar.calendars.update({ calendarId: other.id, requestBody: { summary: 'updated' } });
assert.equal((await calendar.calendarList.get({ calendarId: other.id })).data.accessRole, 'owner');
await calendar.calendarList.patch({ calendarId: other.id, requestBody: { colorId: '7' } });
const quick = (await calendar.events.quickAdd({ calendarId: 'primary', text: 'Coffee' })).data;
await calendar.events.move({ calendarId: 'primary', eventId: quick.id, destination: other.id });
await calendar.events.import({
  calendarId: 'primary',
  requestBody: {
    iCalUID: 'node@example.com',
    summary: 'imported',
    start: { dateTime: '2026-12-08T09:00:00Z' },
    end: { dateTime: '2026-12-08T10:00:00Z' },
  },
});
const rule = (await calendar.acl.insert({
  calendarId: other.id,
  requestBody: { role: 'reader', scope: { type: 'user', value: 'user2@example.com' } },
})).data;
assert.equal((await calendar.acl.list({ calendarId: other.id })).data.items.length, 2);
await calendar.acl.delete({ calendarId: other.id, ruleId: rule.id });
assert.equal(Object.keys((await calendar.colors.get()).data.event).length, 11);
assert.ok((await calendar.settings.get({ setting: 'timezone' })).data.value);
assert.ok((await calendar.settings.list()).data.items.length > 0);
const channel = (await calendar.events.watch({
  calendarId: 'primary',
  requestBody: { id: 'node-channel', type: 'web_hook', address: 'https://example.com/hook' },
})).data;
await calendar.channels.stop({ requestBody: { id: channel.id, resourceId: channel.resourceId } });
await calendar.calendars.clear({ calendarId: other.id });
await calendar.calendarList.delete({ calendarId: other.id });
await calendar.calendarList.insert({ requestBody: { id: other.id } });
await calendar.calendars.delete({ calendarId: other.id });
console.log('calendar: calendars get/patch/update/clear, calendarList, quickAdd, move, import, acl, colors, ' +
  'settings, events.watch, channels.stop: ok');

console.log('googleapis for Node works against the emulator');
