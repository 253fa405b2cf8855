#!/usr/bin/python3
"""Google's own Python client (google-api-python-client, Debian's python3-googleapi) sends
messages to gapi-emulator through each upload protocol it has: simple media, multipart
and resumable in several chunks. Every message is read back with messages.get(format=raw)
and compared, part by part, with what was sent.

Then the methods the generated layer added to the emulator, as Google's client calls
them: messages.attachments.get (for the id messages.get gave), modify, trash, untrash,
threads.get, labels get/delete, and calendars insert/get/delete.

    googleapiclient_upload.py EMULATOR_URL STATE_DIR GMAIL_DISCOVERY_JSON [CALENDAR_DISCOVERY_JSON]
"""
import base64
import io
import json
import os
import sys
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import google_auth_httplib2
import httplib2
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document
from googleapiclient.http import MediaIoBaseUpload

url, state, discovery = sys.argv[1:4]
calendar_discovery = sys.argv[4] if len(sys.argv) > 4 else None
doc = json.load(open(discovery))
doc["rootUrl"] = url + "/"  # the only change: where Google is
doc["baseUrl"] = url + "/"
info = json.load(open(os.path.join(state, "token.json")))
creds = Credentials(info["token"], refresh_token=info["refresh_token"], token_uri=info["token_uri"],
                    client_id=info["client_id"], client_secret=info["client_secret"])
ca = os.path.join(state, "ca.pem")  # present when the emulator serves HTTPS
transport = httplib2.Http(timeout=60, ca_certs=ca if url.startswith("https://") else None)
# Google answers an unfinished resumable upload with 308 and no Location. httplib2 0.16+
# follows 308 as a redirect; google-api-python-client 1.8.1+ turns that off in its own
# build_http(), which Debian's 1.7.12 predates, so it is done here, as there.
transport.redirect_codes = set(transport.redirect_codes) - {308}
authorized = google_auth_httplib2.AuthorizedHttp(creds, http=transport)
gmail = build_from_document(doc, http=authorized)


def message(tag: str, attachment: bytes) -> EmailMessage:
    m = EmailMessage()
    m["From"] = "user1@example.com"
    m["To"] = "someone@elsewhere.example"
    m["Subject"] = f"googleapiclient {tag} upload"
    m["Message-ID"] = f"<googleapiclient-{tag}@example.com>"
    m.set_content(f"Sent by google-api-python-client, {tag} upload.\n")
    m.add_attachment(attachment, maintype="application", subtype="octet-stream", filename=f"{tag}.bin")
    return m


def check_stored(sent_id: str, sent: EmailMessage) -> None:
    raw = gmail.users().messages().get(userId="me", id=sent_id, format="raw").execute()["raw"]
    stored = BytesParser(policy=policy.default).parsebytes(base64.urlsafe_b64decode(raw))
    assert stored["Message-ID"] == sent["Message-ID"], (stored["Message-ID"], sent["Message-ID"])
    sent_parts = [p.get_content() for p in sent.iter_parts()]
    stored_parts = [p.get_content() for p in stored.iter_parts()]
    assert stored_parts == sent_parts, f"{sent['Message-ID']}: the stored parts differ from those sent"


def upload(tag: str, size: int, resumable: bool, metadata):
    m = message(tag, os.urandom(size))
    media = MediaIoBaseUpload(io.BytesIO(m.as_bytes()), mimetype="message/rfc822", chunksize=256 * 1024,
                              resumable=resumable)
    request = gmail.users().messages().send(userId="me", body=metadata, media_body=media)
    if resumable:
        chunks, response = 0, None
        while response is None:
            _, response = request.next_chunk()
            chunks += 1
        assert chunks > 1, f"a {size}-byte resumable upload took {chunks} request(s)"
    else:
        response = request.execute()
    assert "id" in response, response
    check_stored(response["id"], m)
    print(f"{tag}: stored as {response['id']}, parts intact")
    return response["id"], m


upload("media", 2_000, resumable=False, metadata=None)           # uploadType=media
sent_id, sent = upload("multipart", 50_000, resumable=False, metadata={})  # uploadType=multipart
upload("resumable", 700_000, resumable=True, metadata=None)      # uploadType=resumable, 3+ chunks
print("google-api-python-client uploads: 3 passed, 0 failed")

# messages.attachments.get, for the attachment id that messages.get itself returned
full = gmail.users().messages().get(userId="me", id=sent_id, format="full").execute()
part = next(p for p in full["payload"]["parts"] if p.get("filename") == "multipart.bin")
got = gmail.users().messages().attachments().get(userId="me", messageId=sent_id,
                                                 id=part["body"]["attachmentId"]).execute()
expected = next(p for p in sent.iter_attachments()).get_content()
assert base64.urlsafe_b64decode(got["data"]) == expected, "attachments.get returned other bytes"
assert got["size"] == len(expected), got["size"]

label = gmail.users().labels().create(userId="me", body={"name": "googleapiclient"}).execute()
assert gmail.users().labels().get(userId="me", id=label["id"]).execute()["name"] == "googleapiclient"
modified = gmail.users().messages().modify(userId="me", id=sent_id,
                                           body={"addLabelIds": [label["id"], "STARRED"]}).execute()
assert label["id"] in modified["labelIds"] and "STARRED" in modified["labelIds"], modified
assert "TRASH" in gmail.users().messages().trash(userId="me", id=sent_id).execute()["labelIds"]
assert "TRASH" not in gmail.users().messages().untrash(userId="me", id=sent_id).execute()["labelIds"]
thread = gmail.users().threads().get(userId="me", id=full["threadId"]).execute()
assert [m["id"] for m in thread["messages"]] == [sent_id], thread
gmail.users().labels().delete(userId="me", id=label["id"]).execute()

# The rest of what the emulator serves, as Google's client sends it.
users = gmail.users()
start = users.getProfile(userId="me").execute()["historyId"]
raw = base64.urlsafe_b64encode(b"From: a@elsewhere.example\r\nTo: user1@example.com\r\nSubject: inserted\r\n\r\nx\r\n").decode()
inserted = users.messages().insert(userId="me", body={"raw": raw, "labelIds": ["INBOX"]}).execute()
imported = users.messages().import_(userId="me", body={"raw": raw}).execute()
users.messages().batchModify(userId="me", body={"ids": [inserted["id"], imported["id"]], "addLabelIds": ["IMPORTANT"]}).execute()
changes = users.history().list(userId="me", startHistoryId=start).execute()
assert len(changes["history"]) >= 3, changes
assert users.threads().list(userId="me").execute()["threads"], "threads.list is empty"
users.threads().modify(userId="me", id=inserted["threadId"], body={"addLabelIds": ["STARRED"]}).execute()
users.threads().trash(userId="me", id=inserted["threadId"]).execute()
users.threads().untrash(userId="me", id=inserted["threadId"]).execute()
users.messages().delete(userId="me", id=inserted["id"]).execute()
users.messages().batchDelete(userId="me", body={"ids": [imported["id"]]}).execute()
users.threads().delete(userId="me", id=full["threadId"]).execute()
draft = users.drafts().create(userId="me", body={"message": {"raw": raw}}).execute()
updated = users.drafts().update(userId="me", id=draft["id"], body={"message": {"raw": raw}}).execute()
assert updated["id"] == draft["id"], updated
aliases = users.settings().sendAs().list(userId="me").execute()["sendAs"]
assert users.settings().sendAs().get(userId="me", sendAsEmail=aliases[0]["sendAsEmail"]).execute()["isPrimary"]
users.watch(userId="me", body={"topicName": "projects/p/topics/t"}).execute()
users.stop(userId="me").execute()
label = users.labels().create(userId="me", body={"name": "patch me"}).execute()
users.labels().patch(userId="me", id=label["id"], body={"name": "patched"}).execute()
assert users.labels().update(userId="me", id=label["id"], body={"name": "updated"}).execute()["name"] == "updated"
print("google-api-python-client gmail methods: attachments.get, labels, modify, trash, threads, history, "
      "insert, import, batchModify, batchDelete, delete, drafts.update, sendAs, watch, stop passed")

if calendar_discovery:
    cdoc = json.load(open(calendar_discovery))
    cdoc["rootUrl"] = url + "/"
    cdoc["baseUrl"] = url + "/calendar/v3/"
    calendar = build_from_document(cdoc, http=authorized)
    created = calendar.calendars().insert(body={"summary": "googleapiclient", "timeZone": "Europe/Athens"}).execute()
    assert created["id"].endswith("@group.calendar.google.com"), created
    assert calendar.calendars().get(calendarId=created["id"]).execute()["timeZone"] == "Europe/Athens"
    calendar.calendars().patch(calendarId=created["id"], body={"description": "patched"}).execute()
    calendar.calendars().update(calendarId=created["id"], body={"summary": "updated"}).execute()
    entry = calendar.calendarList().get(calendarId=created["id"]).execute()
    assert entry["accessRole"] == "owner", entry
    calendar.calendarList().patch(calendarId=created["id"], body={"colorId": "7"}).execute()
    weekly = calendar.events().insert(calendarId=created["id"], body={
        "summary": "weekly", "start": {"dateTime": "2026-12-07T09:00:00Z"}, "end": {"dateTime": "2026-12-07T10:00:00Z"},
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"]}).execute()
    assert len(calendar.events().instances(calendarId=created["id"], eventId=weekly["id"]).execute()["items"]) == 4
    quick = calendar.events().quickAdd(calendarId="primary", text="Coffee").execute()
    calendar.events().move(calendarId="primary", eventId=quick["id"], destination=created["id"]).execute()
    calendar.events().import_(calendarId="primary", body={
        "iCalUID": "python@example.com", "summary": "imported",
        "start": {"dateTime": "2026-12-08T09:00:00Z"}, "end": {"dateTime": "2026-12-08T10:00:00Z"}}).execute()
    rule = calendar.acl().insert(calendarId=created["id"], body={
        "role": "reader", "scope": {"type": "user", "value": "user2@example.com"}}).execute()
    assert len(calendar.acl().list(calendarId=created["id"]).execute()["items"]) == 2
    calendar.acl().delete(calendarId=created["id"], ruleId=rule["id"]).execute()
    assert len(calendar.colors().get().execute()["event"]) == 11
    assert calendar.settings().get(setting="timezone").execute()["value"]
    assert calendar.settings().list().execute()["items"]
    channel = calendar.events().watch(calendarId="primary", body={
        "id": "python-channel", "type": "web_hook", "address": "https://example.com/hook"}).execute()
    calendar.channels().stop(body={"id": channel["id"], "resourceId": channel["resourceId"]}).execute()
    calendar.calendars().clear(calendarId=created["id"]).execute()
    calendar.calendarList().delete(calendarId=created["id"]).execute()
    calendar.calendarList().insert(body={"id": created["id"]}).execute()
    calendar.calendars().delete(calendarId=created["id"]).execute()
    print("google-api-python-client calendar methods: calendars, calendarList, events instances/quickAdd/move/"
          "import/watch, acl, colors, settings, channels.stop passed")
