// Fidelity check: Google's own Go client (google.golang.org/api, Debian's
// golang-google-api-dev), unchanged but for its endpoints, against a running gapi-emulator.
// Uploads through each protocol the library has (multipart, and resumable in 256 KiB
// chunks, where it sends X-GUploader-No-308), then every method the emulator serves that the
// library reaches, with what each answers checked.
//
//	googleapis_go BASE_URL STATE_DIR
//
// Exits non-zero on the first call that fails or answers something unexpected.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/oauth2"
	calendar "google.golang.org/api/calendar/v3"
	gmail "google.golang.org/api/gmail/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
)

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
		os.Exit(1)
	}
}

func expect(ok bool, format string, args ...interface{}) {
	if !ok {
		fmt.Fprintf(os.Stderr, "unexpected: "+format+"\n", args...)
		os.Exit(1)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A message with a random attachment of `size` bytes, and the attachment.
func message(tag string, size int) ([]byte, []byte) {
	attachment := make([]byte, size)
	_, err := rand.Read(attachment)
	check(err, "random bytes")
	encoded := base64.StdEncoding.EncodeToString(attachment)
	var lines []string
	for len(encoded) > 76 {
		lines = append(lines, encoded[:76])
		encoded = encoded[76:]
	}
	lines = append(lines, encoded)
	m := strings.Join([]string{
		"From: user1@example.com",
		"To: someone@elsewhere.example",
		"Subject: google-api-go-client " + tag,
		fmt.Sprintf("Message-ID: <go-%s-%d@example.com>", tag, time.Now().UnixNano()),
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="go-boundary"`,
		"",
		"--go-boundary",
		"Content-Type: text/plain; charset=UTF-8",
		"",
		"Sent by google-api-go-client, " + tag + ".",
		"--go-boundary",
		"Content-Type: application/octet-stream",
		`Content-Disposition: attachment; filename="` + tag + `.bin"`,
		"Content-Transfer-Encoding: base64",
		"",
		strings.Join(lines, "\r\n"),
		"--go-boundary--",
		"",
	}, "\r\n")
	return []byte(m), attachment
}

func main() {
	base, state := os.Args[1], os.Args[2]
	ctx := context.Background()

	// Only the trust anchors (the emulator's own CA under --tls), the token endpoint and
	// the API root differ from talking to Google.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if strings.HasPrefix(base, "https://") {
		pem, err := os.ReadFile(filepath.Join(state, "ca.pem"))
		check(err, "ca.pem")
		roots := x509.NewCertPool()
		expect(roots.AppendCertsFromPEM(pem), "ca.pem holds no certificate")
		transport.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: transport, Timeout: 60 * time.Second})

	var saved struct {
		RefreshToken string `json:"refresh_token"`
		TokenURI     string `json:"token_uri"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	raw, err := os.ReadFile(filepath.Join(state, "token.json"))
	check(err, "token.json")
	check(json.Unmarshal(raw, &saved), "token.json")
	config := &oauth2.Config{
		ClientID:     saved.ClientID,
		ClientSecret: saved.ClientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: saved.TokenURI, AuthStyle: oauth2.AuthStyleInParams},
	}
	// No access token: the first call makes the library refresh at the emulator.
	client := config.Client(ctx, &oauth2.Token{RefreshToken: saved.RefreshToken})
	root := base + "/"
	gm, err := gmail.NewService(ctx, option.WithHTTPClient(client), option.WithEndpoint(root))
	check(err, "gmail.NewService")
	users := gm.Users

	// Uploads: multipart (the message fits one chunk), then resumable in chunks.
	readBack := func(id string, sent []byte) {
		got, err := users.Messages.Get("me", id).Format("raw").Do()
		check(err, "messages.get raw")
		stored, err := base64.URLEncoding.DecodeString(got.Raw)
		check(err, "raw is base64url")
		expect(bytes.Equal(stored, sent), "message %s is stored with other bytes", id)
	}
	small, _ := message("multipart", 20000)
	sent, err := users.Messages.Send("me", &gmail.Message{}).Media(bytes.NewReader(small), googleapi.ContentType("message/rfc822")).Do()
	check(err, "messages.send (multipart upload)")
	readBack(sent.Id, small)
	chunks := 0
	big, _ := message("resumable", 700000)
	resumed, err := users.Messages.Send("me", &gmail.Message{}).
		Media(bytes.NewReader(big), googleapi.ChunkSize(256*1024), googleapi.ContentType("message/rfc822")).
		ProgressUpdater(func(current, total int64) { chunks++ }).Do()
	check(err, "messages.send (resumable upload)")
	expect(chunks >= 3, "a %d-byte resumable upload took %d chunk(s)", len(big), chunks)
	readBack(resumed.Id, big)
	fmt.Printf("messages.send uploads: multipart %s, resumable %s in %d chunks, stored as sent\n", sent.Id, resumed.Id, chunks)

	// messages.attachments.get, for the attachment id that messages.get itself returned.
	withAttachment, attachment := message("attachment", 3000)
	carrier, err := users.Messages.Send("me", &gmail.Message{Raw: base64.URLEncoding.EncodeToString(withAttachment)}).Do()
	check(err, "messages.send (raw)")
	expect(contains(carrier.LabelIds, "SENT"), "a sent message without SENT: %v", carrier.LabelIds)
	full, err := users.Messages.Get("me", carrier.Id).Format("full").Do()
	check(err, "messages.get full")
	var attachmentID string
	for _, p := range full.Payload.Parts {
		if p.Filename == "attachment.bin" {
			attachmentID = p.Body.AttachmentId
		}
	}
	expect(attachmentID != "", "messages.get gave no attachment id")
	body, err := users.Messages.Attachments.Get("me", carrier.Id, attachmentID).Do()
	check(err, "messages.attachments.get")
	data, err := base64.URLEncoding.DecodeString(body.Data)
	check(err, "attachment data is base64url")
	expect(bytes.Equal(data, attachment) && body.Size == int64(len(attachment)), "attachments.get returned other bytes")
	fmt.Printf("messages.attachments.get: %d bytes, as sent\n", body.Size)

	// Errors are googleapi.Error with Google's status and reason.
	_, err = users.Messages.Get("me", "ffffffffffffffff").Do()
	apiErr, isAPIError := err.(*googleapi.Error)
	expect(isAPIError && apiErr.Code == 404 && len(apiErr.Errors) > 0 && apiErr.Errors[0].Reason == "notFound",
		"an unknown message: %v", err)

	labels, err := users.Labels.List("me").Do()
	check(err, "labels.list")
	label, err := users.Labels.Create("me", &gmail.Label{Name: "google-api-go-client"}).Do()
	check(err, "labels.create")
	gotLabel, err := users.Labels.Get("me", label.Id).Do()
	check(err, "labels.get")
	expect(gotLabel.Name == "google-api-go-client", "labels.get: %q", gotLabel.Name)
	modified, err := users.Messages.Modify("me", carrier.Id, &gmail.ModifyMessageRequest{AddLabelIds: []string{label.Id, "STARRED"}}).Do()
	check(err, "messages.modify")
	expect(contains(modified.LabelIds, label.Id) && contains(modified.LabelIds, "STARRED"), "messages.modify: %v", modified.LabelIds)
	trashed, err := users.Messages.Trash("me", carrier.Id).Do()
	check(err, "messages.trash")
	expect(contains(trashed.LabelIds, "TRASH"), "messages.trash: %v", trashed.LabelIds)
	untrashed, err := users.Messages.Untrash("me", carrier.Id).Do()
	check(err, "messages.untrash")
	expect(!contains(untrashed.LabelIds, "TRASH"), "messages.untrash: %v", untrashed.LabelIds)
	thread, err := users.Threads.Get("me", carrier.ThreadId).Do()
	check(err, "threads.get")
	expect(len(thread.Messages) == 1 && thread.Messages[0].Id == carrier.Id, "threads.get: %d messages", len(thread.Messages))
	renamed, err := users.Labels.Patch("me", label.Id, &gmail.Label{Name: "patched"}).Do()
	check(err, "labels.patch")
	expect(renamed.Name == "patched", "labels.patch: %q", renamed.Name)
	renamed, err = users.Labels.Update("me", label.Id, &gmail.Label{Name: "updated"}).Do()
	check(err, "labels.update")
	expect(renamed.Name == "updated", "labels.update: %q", renamed.Name)
	check(users.Labels.Delete("me", label.Id).Do(), "labels.delete")

	profile, err := users.GetProfile("me").Do()
	check(err, "getProfile")
	plain := base64.URLEncoding.EncodeToString([]byte("From: a@elsewhere.example\r\nTo: user1@example.com\r\nSubject: inserted\r\n\r\nx\r\n"))
	inserted, err := users.Messages.Insert("me", &gmail.Message{Raw: plain, LabelIds: []string{"INBOX"}}).Do()
	check(err, "messages.insert")
	imported, err := users.Messages.Import("me", &gmail.Message{Raw: plain}).Do()
	check(err, "messages.import")
	check(users.Messages.BatchModify("me", &gmail.BatchModifyMessagesRequest{
		Ids: []string{inserted.Id, imported.Id}, AddLabelIds: []string{"IMPORTANT"}}).Do(), "messages.batchModify")
	history, err := users.History.List("me").StartHistoryId(profile.HistoryId).Do()
	check(err, "history.list")
	expect(len(history.History) >= 3, "history.list: %d records since %d", len(history.History), profile.HistoryId)
	found, err := users.Messages.List("me").Q("in:sent").MaxResults(10).Do()
	check(err, "messages.list")
	expect(len(found.Messages) >= 3, "messages.list in:sent: %d", len(found.Messages))
	threads, err := users.Threads.List("me").Do()
	check(err, "threads.list")
	expect(len(threads.Threads) > 0, "threads.list is empty")
	_, err = users.Threads.Modify("me", inserted.ThreadId, &gmail.ModifyThreadRequest{AddLabelIds: []string{"STARRED"}}).Do()
	check(err, "threads.modify")
	_, err = users.Threads.Trash("me", inserted.ThreadId).Do()
	check(err, "threads.trash")
	_, err = users.Threads.Untrash("me", inserted.ThreadId).Do()
	check(err, "threads.untrash")
	check(users.Messages.Delete("me", inserted.Id).Do(), "messages.delete")
	check(users.Messages.BatchDelete("me", &gmail.BatchDeleteMessagesRequest{Ids: []string{imported.Id}}).Do(), "messages.batchDelete")
	check(users.Threads.Delete("me", carrier.ThreadId).Do(), "threads.delete")
	draft, err := users.Drafts.Create("me", &gmail.Draft{Message: &gmail.Message{Raw: plain}}).Do()
	check(err, "drafts.create")
	updated, err := users.Drafts.Update("me", draft.Id, &gmail.Draft{Message: &gmail.Message{Raw: plain}}).Do()
	check(err, "drafts.update")
	expect(updated.Id == draft.Id, "drafts.update: id %s, not %s", updated.Id, draft.Id)
	aliases, err := users.Settings.SendAs.List("me").Do()
	check(err, "settings.sendAs.list")
	alias, err := users.Settings.SendAs.Get("me", aliases.SendAs[0].SendAsEmail).Do()
	check(err, "settings.sendAs.get")
	expect(alias.IsPrimary, "the first send-as alias is not the primary one")
	_, err = users.Watch("me", &gmail.WatchRequest{TopicName: "projects/p/topics/t"}).Do()
	check(err, "users.watch")
	check(users.Stop("me").Do(), "users.stop")
	fmt.Printf("gmail: %d labels; labels create/get/patch/update/delete, modify, trash, untrash, threads, history, "+
		"insert, import, batchModify, batchDelete, delete, drafts, sendAs, watch, stop passed\n", len(labels.Labels))

	// Calendar's root is the API's own path (www.googleapis.com/calendar/v3/ at Google).
	cal, err := calendar.NewService(ctx, option.WithHTTPClient(client), option.WithEndpoint(root+"calendar/v3/"))
	check(err, "calendar.NewService")
	now := time.Now().UTC()
	events, err := cal.Events.List("primary").TimeMin(now.Format(time.RFC3339)).SingleEvents(true).OrderBy("startTime").MaxResults(10).Do()
	check(err, "events.list")
	expect(events.Kind == "calendar#events", "events.list kind %q", events.Kind)
	created, err := cal.Calendars.Insert(&calendar.Calendar{Summary: "google-api-go-client", TimeZone: "Europe/Athens"}).Do()
	check(err, "calendars.insert")
	expect(strings.HasSuffix(created.Id, "@group.calendar.google.com"), "calendars.insert id %q", created.Id)
	gotCalendar, err := cal.Calendars.Get(created.Id).Do()
	check(err, "calendars.get")
	expect(gotCalendar.TimeZone == "Europe/Athens", "calendars.get time zone %q", gotCalendar.TimeZone)
	_, err = cal.Calendars.Patch(created.Id, &calendar.Calendar{Description: "patched"}).Do()
	check(err, "calendars.patch")
	_, err = cal.Calendars.Update(created.Id, &calendar.Calendar{Summary: "updated"}).Do()
	check(err, "calendars.update")
	entry, err := cal.CalendarList.Get(created.Id).Do()
	check(err, "calendarList.get")
	expect(entry.AccessRole == "owner", "calendarList.get access role %q", entry.AccessRole)
	_, err = cal.CalendarList.Patch(created.Id, &calendar.CalendarListEntry{ColorId: "7"}).Do()
	check(err, "calendarList.patch")
	weekly, err := cal.Events.Insert(created.Id, &calendar.Event{
		Summary:    "weekly",
		Start:      &calendar.EventDateTime{DateTime: "2026-12-07T09:00:00Z"},
		End:        &calendar.EventDateTime{DateTime: "2026-12-07T10:00:00Z"},
		Recurrence: []string{"RRULE:FREQ=WEEKLY;COUNT=4"},
	}).Do()
	check(err, "events.insert")
	instances, err := cal.Events.Instances(created.Id, weekly.Id).Do()
	check(err, "events.instances")
	expect(len(instances.Items) == 4, "events.instances: %d", len(instances.Items))
	quick, err := cal.Events.QuickAdd("primary", "Coffee").Do()
	check(err, "events.quickAdd")
	_, err = cal.Events.Move("primary", quick.Id, created.Id).Do()
	check(err, "events.move")
	_, err = cal.Events.Import("primary", &calendar.Event{
		ICalUID: "go@example.com", Summary: "imported",
		Start: &calendar.EventDateTime{DateTime: "2026-12-08T09:00:00Z"},
		End:   &calendar.EventDateTime{DateTime: "2026-12-08T10:00:00Z"},
	}).Do()
	check(err, "events.import")
	rule, err := cal.Acl.Insert(created.Id, &calendar.AclRule{Role: "reader",
		Scope: &calendar.AclRuleScope{Type: "user", Value: "user2@example.com"}}).Do()
	check(err, "acl.insert")
	rules, err := cal.Acl.List(created.Id).Do()
	check(err, "acl.list")
	expect(len(rules.Items) == 2, "acl.list: %d rules", len(rules.Items))
	check(cal.Acl.Delete(created.Id, rule.Id).Do(), "acl.delete")
	colors, err := cal.Colors.Get().Do()
	check(err, "colors.get")
	expect(len(colors.Event) == 11, "colors.get: %d event colours", len(colors.Event))
	zone, err := cal.Settings.Get("timezone").Do()
	check(err, "settings.get")
	expect(zone.Value != "", "settings.get timezone is empty")
	settings, err := cal.Settings.List().Do()
	check(err, "settings.list")
	expect(len(settings.Items) > 0, "settings.list is empty")
	channel, err := cal.Events.Watch("primary", &calendar.Channel{Id: "go-channel", Type: "web_hook", Address: "https://example.com/hook"}).Do()
	check(err, "events.watch")
	check(cal.Channels.Stop(&calendar.Channel{Id: channel.Id, ResourceId: channel.ResourceId}).Do(), "channels.stop")
	busy, err := cal.Freebusy.Query(&calendar.FreeBusyRequest{
		TimeMin: now.Format(time.RFC3339), TimeMax: now.Add(7 * 24 * time.Hour).Format(time.RFC3339),
		Items: []*calendar.FreeBusyRequestItem{{Id: "primary"}, {Id: "nobody@example.com"}},
	}).Do()
	check(err, "freebusy.query")
	unknown, listed := busy.Calendars["nobody@example.com"]
	expect(listed && len(unknown.Errors) == 1 && unknown.Errors[0].Reason == "notFound", "freebusy for an unknown calendar: %+v", unknown)
	check(cal.Calendars.Clear(created.Id).Do(), "calendars.clear")
	check(cal.CalendarList.Delete(created.Id).Do(), "calendarList.delete")
	_, err = cal.CalendarList.Insert(&calendar.CalendarListEntry{Id: created.Id}).Do()
	check(err, "calendarList.insert")
	check(cal.Calendars.Delete(created.Id).Do(), "calendars.delete")
	fmt.Println("calendar: events list/insert/instances/quickAdd/move/import/watch, calendars, calendarList, acl, " +
		"colors, settings, channels.stop, freebusy passed")
	fmt.Println("google-api-go-client works against the emulator")
}
