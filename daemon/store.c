/*
 * store.c: see store.h.  Every statement is prepared once and kept; SQL is
 * never built with printf.  Migrations are an ordered array: a shipped one
 * is never edited, a change is a new entry.
 */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

/* Schema migrations; index i brings user_version from i to i + 1. */
static const char *const migrations[] = {
	/* 1: ingest — mailbox state, raw inbound rows, parsed messages. */
	"CREATE TABLE mailbox_state ("
	"  mailbox TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL DEFAULT 0,"
	"  last_uid INTEGER NOT NULL DEFAULT 0,"
	"  failing_since INTEGER NOT NULL DEFAULT 0,"
	"  alerted INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT"
	") STRICT;"
	"CREATE TABLE inbound ("
	"  id INTEGER PRIMARY KEY,"
	"  mailbox TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  fetched_at INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  raw BLOB,"		/* the message; NULL: in the spool, by digest */
	"  message_id TEXT,"
	"  source TEXT NOT NULL CHECK (source IN ('imap', 'inject')),"
	"  state TEXT NOT NULL DEFAULT 'new' CHECK (state IN"
	"    ('new', 'processed', 'quarantined', 'duplicate')),"
	"  reason TEXT,"
	"  duplicate_of INTEGER REFERENCES inbound(id),"
	"  processed_at INTEGER,"
	"  UNIQUE (mailbox, uidvalidity, uid)"
	") STRICT;"
	"CREATE INDEX inbound_by_state ON inbound(state, id);"
	"CREATE INDEX inbound_by_digest ON inbound(mailbox, sha256);"
	"CREATE TABLE message ("
	"  id INTEGER PRIMARY KEY,"
	"  inbound_id INTEGER REFERENCES inbound(id),"
	"  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
	"  message_id TEXT,"
	"  in_reply_to TEXT,"
	"  refs TEXT,"
	"  subject TEXT,"
	"  from_name TEXT,"
	"  from_addr TEXT,"
	"  reply_to TEXT,"
	"  to_addrs TEXT,"
	"  cc_addrs TEXT,"
	"  date INTEGER,"
	"  body TEXT,"
	"  flags TEXT"
	") STRICT;"
	"CREATE INDEX message_by_msgid ON message(message_id);"
	"CREATE TABLE attachment ("
	"  id INTEGER PRIMARY KEY,"
	"  message INTEGER NOT NULL REFERENCES message(id),"
	"  filename TEXT NOT NULL,"
	"  content_type TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL"
	") STRICT;",
	/*
	 * 2: the outbox.  One row per recipient, so that one bad address
	 * never blocks another; data is the exact bytes sent, kept with
	 * the server's final reply as proof of sending.
	 */
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  case_id INTEGER,"
	"  mail_from TEXT NOT NULL,"
	"  rcpt TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  data BLOB NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
	"    ('pending', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  queued_at INTEGER NOT NULL,"
	"  next_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  reply TEXT"
	") STRICT;"
	"CREATE INDEX outbox_due ON outbox(state, next_at);",
	/*
	 * 3: cases and their events.  References are allocated from
	 * case_seq inside the transaction that opens the case: no gap, no
	 * duplicate.  Events are append-only, each hashed over the previous
	 * one (the audit chain).
	 */
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  type TEXT NOT NULL,"
	"  prefix TEXT NOT NULL,"
	"  year INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  mailbox TEXT,"
	"  subject TEXT,"
	"  complainant_name TEXT,"
	"  complainant_addr TEXT,"
	"  reply_to TEXT,"
	"  opened_at INTEGER NOT NULL,"
	"  closed_at INTEGER,"
	"  linked_to INTEGER REFERENCES cases(id),"
	"  missing TEXT,"
	"  out_of_time INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (prefix, year, seq)"
	") STRICT;"
	"CREATE TABLE case_seq ("
	"  prefix TEXT NOT NULL,"
	"  year INTEGER NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  PRIMARY KEY (prefix, year)"
	") STRICT;"
	"CREATE TABLE event ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER REFERENCES cases(id),"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT,"
	"  prev TEXT NOT NULL,"
	"  hash TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX event_by_case ON event(case_id, id);"
	"ALTER TABLE message ADD COLUMN case_id INTEGER REFERENCES cases(id);"
	"CREATE INDEX message_by_case ON message(case_id);",
	/*
	 * 4: timers, one per deadline of a case (kind 'due') and per
	 * reminder before it (kind 'remind'), indexed by when they fall due.
	 */
	"CREATE TABLE timer ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  deadline TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('due', 'remind')),"
	"  due_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
	"    ('pending', 'met', 'missed', 'sent', 'cancelled')),"
	"  fired_at INTEGER,"
	"  UNIQUE (case_id, deadline, kind)"
	") STRICT;"
	"CREATE INDEX timer_due ON timer(state, due_at);",
	/* 5: the language the complainant is written to, fixed at opening. */
	"ALTER TABLE cases ADD COLUMN lang TEXT NOT NULL DEFAULT 'fr';"
	/* A failed row, once its case and staff were told of it. */
	"ALTER TABLE outbox ADD COLUMN reported INTEGER NOT NULL DEFAULT 0;",
	/*
	 * 6: retention.  A new event's hash covers digests of its actor
	 * and detail (sealed, "A:D"), so that a purge can erase them and
	 * the chain still verifies; an event from before keeps its hash
	 * over the clear text.  A purged case, and its inbound rows, carry
	 * the date; the server copies of purged messages wait in
	 * imap_purge until the mailbox's fetcher deletes them.
	 */
	"ALTER TABLE event ADD COLUMN sealed TEXT;"
	"ALTER TABLE cases ADD COLUMN purged_at INTEGER;"
	"ALTER TABLE inbound ADD COLUMN purged_at INTEGER;"
	"CREATE TABLE imap_purge ("
	"  id INTEGER PRIMARY KEY,"
	"  mailbox TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  queued_at INTEGER NOT NULL"
	") STRICT;",
	/*
	 * 7: one message, one fate.  An inbound row whose processing failed
	 * is set aside ('failed', with its reason) and the others go on.  A
	 * letter is first an intent ('intent': what to write, in letter, a
	 * key file) that the compose stage builds into data, or fails with
	 * the reason; one handed to the mail server is 'sending' until its
	 * reply is recorded, so that it is never sent twice.  A timer that cannot fire is retried at retry_at with
	 * backoff, and after too many attempts is 'failed'.  Automatic mail
	 * keeps why it is automatic (message.automatic).  SQLite cannot
	 * change a CHECK constraint: the three tables are rebuilt, with
	 * foreign keys off (store_open() runs the migrations before it turns
	 * them on).
	 */
	"CREATE TABLE inbound_new ("
	"  id INTEGER PRIMARY KEY,"
	"  mailbox TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  fetched_at INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  raw BLOB,"
	"  message_id TEXT,"
	"  source TEXT NOT NULL CHECK (source IN ('imap', 'inject')),"
	"  state TEXT NOT NULL DEFAULT 'new' CHECK (state IN"
	"    ('new', 'processed', 'quarantined', 'duplicate', 'failed')),"
	"  reason TEXT,"
	"  duplicate_of INTEGER REFERENCES inbound(id),"
	"  processed_at INTEGER,"
	"  purged_at INTEGER,"
	"  UNIQUE (mailbox, uidvalidity, uid)"
	") STRICT;"
	"INSERT INTO inbound_new SELECT id, mailbox, uidvalidity, uid, "
	"  fetched_at, size, sha256, raw, message_id, source, state, reason, "
	"  duplicate_of, processed_at, purged_at FROM inbound;"
	"DROP TABLE inbound;"
	"ALTER TABLE inbound_new RENAME TO inbound;"
	"CREATE INDEX inbound_by_state ON inbound(state, id);"
	"CREATE INDEX inbound_by_digest ON inbound(mailbox, sha256);"
	"CREATE TABLE outbox_new ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  case_id INTEGER,"
	"  mail_from TEXT NOT NULL,"
	"  rcpt TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  data BLOB,"			/* NULL while an intent */
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
	"    ('intent', 'pending', 'sending', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  queued_at INTEGER NOT NULL,"
	"  next_at INTEGER NOT NULL,"
	"  sent_at INTEGER,"
	"  reply TEXT,"
	"  reported INTEGER NOT NULL DEFAULT 0,"
	"  letter TEXT"
	") STRICT;"
	"INSERT INTO outbox_new SELECT id, kind, case_id, mail_from, rcpt, "
	"  message_id, data, state, attempts, queued_at, next_at, sent_at, "
	"  reply, reported, NULL FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_new RENAME TO outbox;"
	"CREATE INDEX outbox_due ON outbox(state, next_at);"
	/* The hourly alert looks at the last of its kind every few seconds. */
	"CREATE INDEX outbox_by_kind ON outbox(kind, queued_at);"
	"CREATE TABLE timer_new ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  deadline TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('due', 'remind')),"
	"  due_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
	"    ('pending', 'met', 'missed', 'sent', 'cancelled', 'failed')),"
	"  fired_at INTEGER,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  retry_at INTEGER,"
	"  reason TEXT,"
	"  UNIQUE (case_id, deadline, kind)"
	") STRICT;"
	"INSERT INTO timer_new (id, case_id, deadline, kind, due_at, state, "
	"  fired_at) SELECT id, case_id, deadline, kind, due_at, state, "
	"  fired_at FROM timer;"
	"DROP TABLE timer;"
	"ALTER TABLE timer_new RENAME TO timer;"
	"CREATE INDEX timer_due ON timer(state, due_at);"
	"ALTER TABLE message ADD COLUMN automatic TEXT;",
};
#define NMIGRATIONS	((int)G_N_ELEMENTS(migrations))

enum stmt_id {
	S_MAILBOX_GET,
	S_MAILBOX_RESET,
	S_MAILBOX_RAISE,
	S_MAILBOX_HEALTH,
	S_INBOUND_INSERT,
	S_INBOUND_SAME_BYTES,
	S_INBOUND_NEXT_INJECT_UID,
	S_INBOUND_NEXT,
	S_INBOUND_GET,
	S_INBOUND_SET_STATE,
	S_INBOUND_LIST,
	S_INBOUND_COUNT,
	S_INBOUND_RAW,
	S_INBOUND_NEW_IDS,
	S_MESSAGE_INSERT,
	S_ATTACHMENT_INSERT,
	S_OUTBOX_INSERT,
	S_OUTBOX_DUE,
	S_OUTBOX_RESULT,
	S_OUTBOX_NEXT_AT,
	S_OUTBOX_LIST,
	S_OUTBOX_UNREPORTED,
	S_OUTBOX_REPORTED,
	S_CASE_UNDELIVERED,
	S_OUTBOX_RETRY,
	S_MAILBOX_ALL,
	S_CASE_SEQ,
	S_CASE_INSERT,
	S_CASE_BY_REF,
	S_CASE_BY_ID,
	S_CASE_SET_STATE,
	S_CASE_SET_MISSING,
	S_CASE_SET_OUT_OF_TIME,
	S_CASE_BY_MSGID,
	S_CASE_TEXTS,
	S_MESSAGE_SET_CASE,
	S_EVENT_LAST,
	S_EVENT_INSERT,
	S_CASE_LIST,
	S_CASE_MAIL,
	S_CASE_FACTS,
	S_CASE_SET_TYPE,
	S_CASE_LAST_IN,
	S_TIMERS_CANCEL,
	S_OUTBOX_RECENT,
	S_OUTBOX_BY_MSGID,
	S_TIMER_ADD,
	S_TIMER_DUE,
	S_TIMER_SET,
	S_TIMER_NEXT,
	S_INBOUND_CASE,
	S_OUTBOX_BACKLOG,
	S_TIMER_RETRY,
	S_TIMER_FAILED,
	S_OUTBOX_INTENTS,
	S_OUTBOX_CLAIM,
	S_OUTBOX_IN_DOUBT,
	S_MESSAGE_AUTOMATIC,
	S_AUTOMATIC_COUNT,
	S_AUTOMATIC_LIST,
	S_OUTBOX_LAST,
	S_INBOUND_SET_ASIDE,
	S_OUTBOX_COMPOSED,
	S_OUTBOX_UNCOMPOSABLE,
	S_TIMER_OF_CASE,
	S_REACHED_ACK,
	S_REACHED_STATE,
	S_REACHED_EVENT,
	S_EVENT_LIST,
	S_EVENT_ALL,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_MAILBOX_GET] = "SELECT uidvalidity, last_uid, failing_since, "
	    "alerted FROM mailbox_state WHERE mailbox = ?1",
	[S_MAILBOX_RESET] = "INSERT INTO mailbox_state (mailbox, uidvalidity, "
	    "last_uid) VALUES (?1, ?2, 0) ON CONFLICT (mailbox) DO UPDATE "
	    "SET uidvalidity = ?2, last_uid = 0",
	[S_MAILBOX_RAISE] = "UPDATE mailbox_state SET last_uid = ?3 "
	    "WHERE mailbox = ?1 AND uidvalidity = ?2 AND last_uid < ?3",
	[S_MAILBOX_HEALTH] = "INSERT INTO mailbox_state (mailbox, "
	    "failing_since, last_error) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (mailbox) DO UPDATE SET failing_since = ?2, "
	    "last_error = ?3",
	[S_INBOUND_INSERT] = "INSERT INTO inbound (mailbox, uidvalidity, uid, "
	    "fetched_at, size, sha256, message_id, source, state, "
	    "duplicate_of, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11) ON CONFLICT DO NOTHING",
	[S_INBOUND_SAME_BYTES] = "SELECT id FROM inbound WHERE mailbox = ?1 "
	    "AND sha256 = ?2 AND uidvalidity <> ?3 AND source = 'imap' "
	    "ORDER BY id LIMIT 1",
	[S_INBOUND_NEXT_INJECT_UID] = "SELECT coalesce(max(uid), 0) + 1 FROM "
	    "inbound WHERE mailbox = ?1 AND uidvalidity = 0",
	[S_INBOUND_NEXT] = "SELECT id, mailbox, sha256, state, reason, "
	    "message_id, size, fetched_at, coalesce(processed_at, 0) FROM inbound WHERE state = 'new' "
	    "ORDER BY id LIMIT 1",
	[S_INBOUND_GET] = "SELECT id, mailbox, sha256, state, reason, "
	    "message_id, size, fetched_at, coalesce(processed_at, 0) FROM inbound WHERE id = ?1",
	[S_INBOUND_SET_STATE] = "UPDATE inbound SET state = ?2, reason = ?3, "
	    "processed_at = ?4 WHERE id = ?1",
	[S_INBOUND_LIST] = "SELECT id, mailbox, sha256, state, reason, "
	    "message_id, size, fetched_at, coalesce(processed_at, 0) FROM inbound WHERE state = ?1 "
	    "ORDER BY id",
	[S_INBOUND_COUNT] = "SELECT count(*) FROM inbound WHERE "
	    "?1 IS NULL OR state = ?1",
	[S_INBOUND_RAW] = "SELECT raw FROM inbound WHERE id = ?1",
	[S_INBOUND_NEW_IDS] = "SELECT id FROM inbound WHERE state = 'new' "
	    "ORDER BY id LIMIT ?1",
	[S_MESSAGE_INSERT] = "INSERT INTO message (inbound_id, direction, "
	    "message_id, in_reply_to, refs, subject, from_name, from_addr, "
	    "reply_to, to_addrs, cc_addrs, date, body, flags) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[S_ATTACHMENT_INSERT] = "INSERT INTO attachment (message, filename, "
	    "content_type, size, sha256) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_OUTBOX_INSERT] = "INSERT INTO outbox (kind, case_id, mail_from, "
	    "rcpt, message_id, data, queued_at, next_at, state, letter) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, CASE WHEN ?6 IS NULL THEN "
	    "'intent' ELSE 'pending' END, ?8)",
	[S_OUTBOX_LAST] = "SELECT coalesce(max(queued_at), 0) FROM outbox "
	    "WHERE kind = ?1",
	[S_INBOUND_SET_ASIDE] = "SELECT id, mailbox, sha256, state, reason, "
	    "message_id, size, fetched_at, coalesce(processed_at, 0) FROM "
	    "inbound WHERE state IN ('quarantined', 'failed') AND "
	    "processed_at > ?1 ORDER BY id LIMIT ?2",
	[S_MESSAGE_AUTOMATIC] = "UPDATE message SET automatic = ?2 WHERE id = ?1",
	[S_AUTOMATIC_COUNT] = "SELECT count(*) FROM message WHERE "
	    "automatic IS NOT NULL",
	[S_AUTOMATIC_LIST] = "SELECT m.id, m.inbound_id, i.mailbox, "
	    "i.fetched_at, m.from_addr, m.subject, m.automatic, c.ref FROM "
	    "message m LEFT JOIN inbound i ON i.id = m.inbound_id LEFT JOIN "
	    "cases c ON c.id = m.case_id WHERE m.automatic IS NOT NULL "
	    "ORDER BY m.id",
	[S_OUTBOX_CLAIM] = "UPDATE outbox SET state = 'sending' WHERE id = ?1 "
	    "AND state = 'pending'",
	/* Handed to the server, and no reply recorded: maybe delivered. */
	[S_OUTBOX_IN_DOUBT] = "UPDATE outbox SET state = 'failed', "
	    "reported = 0, attempts = attempts + 1, reply = 'in doubt: "
	    "recoursd stopped while the mail server had it, and may have "
	    "delivered it: look for its Message-ID in the server''s log; "
	    "recoursctl outbox retry sends it again' WHERE state = 'sending'",
	[S_OUTBOX_INTENTS] = "SELECT id, kind, mail_from, rcpt, message_id, "
	    "NULL, attempts, queued_at, state, reply, next_at, "
	    "coalesce(case_id, 0), letter FROM outbox WHERE state = 'intent' "
	    "ORDER BY id LIMIT ?1",
	/* Composed: due now, not at the instant it was decided. */
	[S_OUTBOX_COMPOSED] = "UPDATE outbox SET data = ?2, state = 'pending', "
	    "letter = NULL, "
	    "next_at = max(next_at, ?3) WHERE id = ?1 AND state = 'intent'",
	[S_OUTBOX_UNCOMPOSABLE] = "UPDATE outbox SET state = 'failed', "
	    "reply = ?2, reported = 0 WHERE id = ?1 AND state = 'intent'",
	[S_OUTBOX_DUE] = "SELECT id, kind, mail_from, rcpt, message_id, data, "
	    "attempts, queued_at, state, reply, next_at FROM outbox "
	    "WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at, id "
	    "LIMIT ?2",
	[S_OUTBOX_RESULT] = "UPDATE outbox SET state = ?2, attempts = ?3, "
	    "next_at = ?4, sent_at = ?5, reply = ?6 WHERE id = ?1",
	[S_OUTBOX_NEXT_AT] = "SELECT min(next_at) FROM outbox WHERE "
	    "state = 'pending'",
	[S_OUTBOX_LIST] = "SELECT id, kind, mail_from, rcpt, message_id, NULL, "
	    "attempts, queued_at, state, reply, next_at FROM outbox "
	    "WHERE ?1 IS NULL OR state = ?1 ORDER BY id",
	/* A letter never composed is composed again. */
	[S_OUTBOX_RETRY] = "UPDATE outbox SET state = CASE WHEN data IS NULL "
	    "THEN 'intent' ELSE 'pending' END, next_at = ?2, reported = 0 "
	    "WHERE id = ?1 AND state = 'failed'",
	[S_OUTBOX_UNREPORTED] = "SELECT id, kind, mail_from, rcpt, message_id, "
	    "NULL, attempts, queued_at, state, reply, next_at, "
	    "coalesce(case_id, 0) FROM outbox WHERE state = 'failed' AND "
	    "reported = 0 ORDER BY id",
	[S_OUTBOX_REPORTED] = "UPDATE outbox SET reported = 1 WHERE id = ?1",
	/* The last mail the complainant did not get, unless staff said since
	 * how they were informed. */
	[S_CASE_UNDELIVERED] = "SELECT detail FROM event WHERE case_id = ?1 "
	    "AND kind = 'undelivered' AND id > coalesce((SELECT max(id) FROM "
	    "event WHERE case_id = ?1 AND kind = 'informe'), 0) "
	    "ORDER BY id DESC LIMIT 1",
	[S_CASE_SEQ] = "INSERT INTO case_seq (prefix, year, last) VALUES "
	    "(?1, ?2, 1) ON CONFLICT (prefix, year) DO UPDATE SET "
	    "last = last + 1 RETURNING last",
	[S_CASE_INSERT] = "INSERT INTO cases (ref, type, prefix, year, seq, "
	    "state, mailbox, subject, complainant_name, complainant_addr, "
	    "reply_to, opened_at, linked_to, missing, out_of_time, lang) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
	    "coalesce(?16, 'fr'))",
	[S_CASE_BY_REF] = "SELECT id, ref, type, state, mailbox, subject, "
	    "complainant_name, complainant_addr, reply_to, opened_at, "
	    "missing, out_of_time, lang, purged_at FROM cases WHERE ref = ?1",
	[S_CASE_BY_ID] = "SELECT id, ref, type, state, mailbox, subject, "
	    "complainant_name, complainant_addr, reply_to, opened_at, "
	    "missing, out_of_time, lang, purged_at FROM cases WHERE id = ?1",
	[S_CASE_SET_STATE] = "UPDATE cases SET state = ?2, closed_at = "
	    "CASE WHEN ?2 = 'closed' THEN ?3 ELSE NULL END WHERE id = ?1",
	[S_CASE_SET_MISSING] = "UPDATE cases SET missing = ?2 WHERE id = ?1",
	[S_CASE_SET_OUT_OF_TIME] = "UPDATE cases SET out_of_time = ?2 "
	    "WHERE id = ?1",
	/* Ours too: a reply to our acknowledgement threads into its case. */
	[S_CASE_BY_MSGID] = "SELECT case_id FROM message WHERE message_id = ?1 "
	    "AND case_id IS NOT NULL UNION ALL SELECT case_id FROM outbox "
	    "WHERE message_id = ?1 AND case_id IS NOT NULL LIMIT 1",
	[S_CASE_TEXTS] = "SELECT coalesce(subject, '') || char(10) || "
	    "coalesce(body, '') FROM message WHERE case_id = ?1 AND "
	    "direction = 'in' ORDER BY id",
	[S_MESSAGE_SET_CASE] = "UPDATE message SET case_id = ?2 WHERE id = ?1",
	[S_EVENT_LAST] = "SELECT hash FROM event ORDER BY id DESC LIMIT 1",
	[S_EVENT_INSERT] = "INSERT INTO event (case_id, at, actor, kind, "
	    "detail, prev, hash, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	/* Scheduling again (the clock restarts) re-arms the timer. */
	[S_TIMER_ADD] = "INSERT INTO timer (case_id, deadline, kind, due_at) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (case_id, deadline, kind) DO "
	    "UPDATE SET due_at = ?4, state = 'pending', fired_at = NULL, "
	    "attempts = 0, retry_at = NULL, reason = NULL",
	/* A timer that failed to fire waits for its retry_at. */
	[S_TIMER_DUE] = "SELECT id, case_id, deadline, kind, due_at, state, "
	    "fired_at, attempts FROM timer WHERE state = 'pending' AND "
	    "coalesce(retry_at, due_at) <= ?1 "
	    "ORDER BY coalesce(retry_at, due_at), id LIMIT ?2",
	[S_TIMER_RETRY] = "UPDATE timer SET attempts = attempts + 1, "
	    "retry_at = ?2, reason = ?3 WHERE id = ?1 AND state = 'pending'",
	[S_TIMER_FAILED] = "UPDATE timer SET attempts = attempts + 1, "
	    "state = 'failed', fired_at = ?2, reason = ?3 "
	    "WHERE id = ?1 AND state = 'pending'",
	[S_TIMER_SET] = "UPDATE timer SET state = ?2, fired_at = ?3 "
	    "WHERE id = ?1 AND state = 'pending'",
	[S_INBOUND_CASE] = "SELECT c.ref FROM message m JOIN cases c ON "
	    "c.id = m.case_id WHERE m.inbound_id = ?1 ORDER BY m.id LIMIT 1",
	[S_OUTBOX_BACKLOG] = "SELECT count(*), min(queued_at) FROM outbox "
	    "WHERE state IN ('intent', 'pending')",
	[S_TIMER_NEXT] = "SELECT min(coalesce(retry_at, due_at)) FROM timer "
	    "WHERE state = 'pending'",
	[S_TIMER_OF_CASE] = "SELECT id, case_id, deadline, kind, due_at, "
	    "state, fired_at, attempts FROM timer WHERE case_id = ?1 ORDER BY due_at, id",
	[S_REACHED_ACK] = "SELECT min(sent_at) FROM outbox WHERE case_id = ?1 "
	    "AND kind = 'ack' AND state = 'sent'",
	/* A case opened complete was received when it opened. */
	[S_REACHED_STATE] = "SELECT min(at) FROM event WHERE case_id = ?1 AND "
	    "((kind IN ('state', 'complete') AND detail LIKE '% -> ' || ?2) OR "
	    "(kind = 'opened' AND ?2 = 'received' AND NOT EXISTS (SELECT 1 "
	    "FROM event WHERE case_id = ?1 AND kind = 'incomplete')))",
	[S_REACHED_EVENT] = "SELECT min(at) FROM event WHERE case_id = ?1 AND "
	    "kind = ?2",
	[S_OUTBOX_RECENT] = "SELECT count(*) FROM outbox WHERE rcpt = ?1 AND "
	    "kind = ?2 AND queued_at >= ?3",
	[S_OUTBOX_BY_MSGID] = "SELECT id, kind, mail_from, rcpt, message_id, "
	    "NULL, attempts, queued_at, state, reply, next_at, "
	    "coalesce(case_id, 0) FROM outbox WHERE message_id = ?1",
	[S_CASE_SET_TYPE] = "UPDATE cases SET type = ?2 WHERE id = ?1",
	[S_CASE_LAST_IN] = "SELECT message_id FROM message WHERE case_id = ?1 "
	    "AND direction = 'in' AND message_id IS NOT NULL AND from_addr = "
	    "(SELECT complainant_addr FROM cases WHERE id = ?1) "
	    "ORDER BY id DESC LIMIT 1",
	[S_TIMERS_CANCEL] = "UPDATE timer SET state = 'cancelled', fired_at = ?2 "
	    "WHERE case_id = ?1 AND state = 'pending'",
	/* One row per case of a year: what the indicators are made of. */
	[S_CASE_FACTS] = "SELECT c.type, c.opened_at, "
	    "(SELECT min(sent_at) FROM outbox o WHERE o.case_id = c.id AND "
	    "  o.kind = 'ack' AND o.state = 'sent'), "
	    "(SELECT min(at) FROM event e WHERE e.case_id = c.id AND "
	    "  e.kind = 'state' AND e.detail LIKE '% -> decided'), "
	    "EXISTS (SELECT 1 FROM event e WHERE e.case_id = c.id AND "
	    "  e.kind = 'state' AND e.detail LIKE '% -> admissible'), "
	    "EXISTS (SELECT 1 FROM event e WHERE e.case_id = c.id AND "
	    "  e.kind = 'state' AND e.detail LIKE '% -> inadmissible'), "
	    "EXISTS (SELECT 1 FROM event e WHERE e.case_id = c.id AND "
	    "  e.kind = 'fondee'), c.state = 'closed', "
	    "(SELECT count(*) FROM event e WHERE e.case_id = c.id AND "
	    "  e.kind = 'deadline-met'), "
	    "(SELECT count(*) FROM event e WHERE e.case_id = c.id AND "
	    "  e.kind = 'deadline-missed'), "
	    "(SELECT count(*) FROM event e WHERE e.case_id = c.id AND "
	    "  e.kind = 'action-corrective'), "
	    "(SELECT count(*) FROM event e WHERE e.case_id = c.id AND "
	    "  e.kind = 'efficacite'), "
	    "(SELECT count(*) FROM event e WHERE e.case_id = c.id AND "
	    "  e.kind = 'action-soldee') "
	    "FROM cases c WHERE c.year = ?1 AND (?2 IS NULL OR c.type = ?2) "
	    "ORDER BY c.id",
	/* Every message of a case, in and out, oldest first. */
	[S_CASE_MAIL] = "SELECT i.id, i.sha256, i.fetched_at, 'in' FROM message m "
	    "JOIN inbound i ON i.id = m.inbound_id WHERE m.case_id = ?1 "
	    "UNION ALL SELECT o.id, '', coalesce(o.sent_at, o.queued_at), 'out' "
	    "FROM outbox o WHERE o.case_id = ?1 ORDER BY 3, 1",
	[S_CASE_LIST] = "SELECT id, ref, type, state, mailbox, subject, "
	    "complainant_name, complainant_addr, reply_to, opened_at, "
	    "missing, out_of_time, lang, purged_at FROM cases "
	    "WHERE (?1 IS NULL OR type = ?1) "
	    "AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR year = ?3) "
	    "ORDER BY id",
	[S_EVENT_LIST] = "SELECT id, case_id, at, actor, kind, detail, prev, "
	    "hash, sealed FROM event WHERE case_id = ?1 ORDER BY id",
	[S_EVENT_ALL] = "SELECT id, coalesce(case_id, 0), at, actor, kind, "
	    "detail, prev, hash, sealed FROM event ORDER BY id",
	[S_MAILBOX_ALL] = "SELECT mailbox, uidvalidity, last_uid, "
	    "failing_since, alerted, last_error FROM mailbox_state "
	    "ORDER BY mailbox",
};

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*stmts[S_COUNT];
};

static int	 busy_wait(void *, int);
static gboolean	 sql_fail(struct store *, GError **, const char *);
static gboolean	 exec(struct store *, const char *, GError **);
static gboolean	 exec_bound(struct store *, const char *, const char *, int,
		    GError **);
static void	 outbox_row_clear(gpointer);
static GArray	*outbox_rows(struct store *, sqlite3_stmt *, GError **);
static void	 health_row_clear(gpointer);
static void	 file_clear(gpointer);
static void	 facts_clear(gpointer);
static void	 timer_clear(gpointer);
static GArray	*timer_rows(struct store *, sqlite3_stmt *, GError **);
static gboolean	 timer_not_fired(struct store *, enum stmt_id, int64_t, int64_t,
		    const char *, GError **);
static void	 case_array_clear(gpointer);
static void	 event_clear(gpointer);
static GArray	*events(struct store *, sqlite3_stmt *, GError **);
static int64_t	 case_seq(struct store *, const char *, int, GError **);
static void	 case_columns(sqlite3_stmt *, struct store_case *);
static gboolean	 case_row(struct store *, sqlite3_stmt *, struct store_case *,
		    GError **);
static sqlite3_stmt *stmt(struct store *, enum stmt_id, GError **);
static gboolean	 step_done(struct store *, sqlite3_stmt *, GError **);
static gboolean	 migrate(struct store *, GError **);
static void	 bind_text(sqlite3_stmt *, int, const char *);
static void	 read_inbound_row(sqlite3_stmt *, struct store_inbound_row *);
static char	*dup_column(sqlite3_stmt *, int);
static int64_t	 same_bytes(struct store *, const struct store_inbound *,
		    GError **);
static int64_t	 next_inject_uid(struct store *, const char *, GError **);
static gboolean	 inbound_one(struct store *, sqlite3_stmt *,
		    struct store_inbound_row *, GError **);
static void	 row_array_clear(gpointer);

G_DEFINE_QUARK(store-error-quark, store_error)

/*
 * Writers are the fetch threads and the main thread, each holding the
 * lock for one short transaction: retry every millisecond (SQLite's own
 * busy timeout backs off to 100 ms sleeps), for 10 s at most.
 */
static int
busy_wait(void *data, int tries)
{
	(void)data;
	if (tries >= 10000)
		return 0;
	g_usleep(1000);
	return 1;
}

/*
 * A full disk, a lock held too long or an I/O error is the machine's
 * state, not the data's: the same work may succeed later.
 */
static int
error_class(struct store *st)
{
	switch (sqlite3_errcode(st->db) & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_NOMEM:
	case SQLITE_CANTOPEN:
	case SQLITE_PROTOCOL:
		return STORE_ERROR_TRANSIENT;
	default:
		return STORE_ERROR_SQL;
	}
}

static gboolean
sql_fail(struct store *st, GError **err, const char *what)
{
	g_set_error(err, STORE_ERROR, error_class(st), "%s: %s: %s", st->path,
	    what, sqlite3_errmsg(st->db));
	return FALSE;
}

gboolean
store_error_transient(const GError *e)
{
	return e != NULL && e->domain == STORE_ERROR &&
	    e->code == STORE_ERROR_TRANSIENT;
}

/* A rare one-off statement with a text and an int parameter. */
static gboolean
exec_bound(struct store *st, const char *sql, const char *text, int n,
    GError **err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sql_fail(st, err, sql);
	bind_text(s, 1, text);
	sqlite3_bind_int(s, 2, n);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, err, sql);
	return TRUE;
}

static gboolean
exec(struct store *st, const char *sql, GError **err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(st, err, sql);
	return TRUE;
}

/* The cached statement, reset and with its bindings cleared. */
static sqlite3_stmt *
stmt(struct store *st, enum stmt_id id, GError **err)
{
	sqlite3_stmt	*s = st->stmts[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			sql_fail(st, err, "prepare");
			return NULL;
		}
		st->stmts[id] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

static gboolean
step_done(struct store *st, sqlite3_stmt *s, GError **err)
{
	int	 rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_fail(st, err, sqlite3_sql(s));
	return TRUE;
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

static char *
dup_column(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v != NULL ? g_strdup((const char *)v) : NULL;
}

int
store_schema_latest(void)
{
	return NMIGRATIONS;
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt	*s;
	int		 v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Apply the missing migrations in one IMMEDIATE transaction. */
static gboolean
migrate(struct store *st, GError **err)
{
	char	*set;
	int	 v, i;

	if (!store_begin(st, err))
		return FALSE;
	v = store_schema_version(st);
	for (i = v; i < NMIGRATIONS; i++) {
		if (!exec(st, migrations[i], err))
			goto fail;
		set = g_strdup_printf("PRAGMA user_version = %d", i + 1);
		if (!exec(st, set, err)) {
			g_free(set);
			goto fail;
		}
		g_free(set);
	}
	return store_commit(st, err);
fail:
	store_rollback(st);
	return FALSE;
}

struct store *
store_open(const char *path, int flags, GError **err)
{
	struct store	*st;
	int		 oflags, v;

	if ((flags & STORE_CREATE) == 0 && access(path, F_OK) != 0) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_OPEN,
		    "%s: no database there (has recoursd run yet?)", path);
		return NULL;
	}
	if ((flags & STORE_CREATE) != 0) {
		char	*dir = g_path_get_dirname(path);
		int	 rc = g_mkdir_with_parents(dir, 0750);

		g_free(dir);
		if (rc != 0) {
			g_set_error(err, STORE_ERROR, STORE_ERROR_OPEN,
			    "%s: cannot create its directory: %s", path,
			    g_strerror(errno));
			return NULL;
		}
	}
	st = g_new0(struct store, 1);
	st->path = g_strdup(path);
	/*
	 * A SQLITE_OPEN_READONLY connection cannot always map the WAL index
	 * of a database the daemon is writing, and then misses the WAL: the
	 * looking commands open read-write and set query_only instead.
	 */
	oflags = SQLITE_OPEN_READWRITE | ((flags & STORE_CREATE) ?
	    SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_OPEN, "%s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_handler(st->db, busy_wait, NULL);
	v = store_schema_version(st);
	if (v < 0) {
		sql_fail(st, err, "cannot read the schema version");
		goto fail;
	}
	if (v > NMIGRATIONS) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_VERSION,
		    "%s: database schema version %d is newer than this "
		    "recoursd (%d): upgrade recoursd, or restore the backup "
		    "taken before the upgrade", path, v, NMIGRATIONS);
		goto fail;
	}
	if ((flags & STORE_READONLY) == 0 &&
	    (!exec(st, "PRAGMA journal_mode = WAL", err) ||
	    !exec(st, flags & STORE_LAZY_SYNC ? "PRAGMA synchronous = NORMAL" :
	    "PRAGMA synchronous = FULL", err)))
		goto fail;
	/* Migrations rebuild tables: foreign keys are checked after. */
	if (v < NMIGRATIONS) {
		if (flags & STORE_READONLY) {
			g_set_error(err, STORE_ERROR, STORE_ERROR_VERSION,
			    "%s: database schema version %d is older than this "
			    "recoursd (%d): start recoursd once to upgrade it",
			    path, v, NMIGRATIONS);
			goto fail;
		}
		if (!migrate(st, err))
			goto fail;
	}
	if (!exec(st, "PRAGMA foreign_keys = ON", err))
		goto fail;
	if ((flags & STORE_READONLY) && !exec(st, "PRAGMA query_only = ON", err))
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	int	 i;

	if (st == NULL)
		return;
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmts[i]);
	sqlite3_close(st->db);
	g_free(st->path);
	g_free(st);
}

gboolean
store_begin(struct store *st, GError **err)
{
	return exec(st, "BEGIN IMMEDIATE", err);
}

gboolean
store_commit(struct store *st, GError **err)
{
	if (exec(st, "COMMIT", err))
		return TRUE;
	store_rollback(st);
	return FALSE;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
store_mailbox_get(struct store *st, const char *mailbox,
    struct store_mailbox *out, GError **err)
{
	sqlite3_stmt	*s;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((s = stmt(st, S_MAILBOX_GET, err)) == NULL)
		return FALSE;
	bind_text(s, 1, mailbox);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->uidvalidity = (uint32_t)sqlite3_column_int64(s, 0);
		out->last_uid = (uint32_t)sqlite3_column_int64(s, 1);
		out->failing_since = sqlite3_column_int64(s, 2);
		out->alerted = sqlite3_column_int(s, 3) != 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(st, err, "mailbox state");
	return TRUE;
}

gboolean
store_mailbox_reset(struct store *st, const char *mailbox,
    uint32_t uidvalidity, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_MAILBOX_RESET, err)) == NULL)
		return FALSE;
	bind_text(s, 1, mailbox);
	sqlite3_bind_int64(s, 2, uidvalidity);
	return step_done(st, s, err);
}

gboolean
store_mailbox_health(struct store *st, const char *mailbox,
    int64_t failing_since, const char *error, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_MAILBOX_HEALTH, err)) == NULL)
		return FALSE;
	bind_text(s, 1, mailbox);
	sqlite3_bind_int64(s, 2, failing_since);
	bind_text(s, 3, error);
	return step_done(st, s, err);
}

/* The first row of this mailbox with the same bytes, or 0. */
static int64_t
same_bytes(struct store *st, const struct store_inbound *in, GError **err)
{
	sqlite3_stmt	*s;
	int64_t		 id = 0;

	if ((s = stmt(st, S_INBOUND_SAME_BYTES, err)) == NULL)
		return -1;
	bind_text(s, 1, in->mailbox);
	bind_text(s, 2, in->sha256);
	sqlite3_bind_int64(s, 3, in->uidvalidity);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return id;
}

static int64_t
next_inject_uid(struct store *st, const char *mailbox, GError **err)
{
	sqlite3_stmt	*s;
	int64_t		 uid = -1;

	if ((s = stmt(st, S_INBOUND_NEXT_INJECT_UID, err)) == NULL)
		return -1;
	bind_text(s, 1, mailbox);
	if (sqlite3_step(s) == SQLITE_ROW)
		uid = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return uid;
}

gboolean
store_inbound_add(struct store *st, const struct store_inbound *in,
    enum store_added *added, int64_t *id, GError **err)
{
	sqlite3_stmt	*s;
	int64_t		 dup, uid = in->uid;

	if (uid == 0 && (uid = next_inject_uid(st, in->mailbox, err)) < 0)
		return FALSE;
	dup = in->uidvalidity != 0 ? same_bytes(st, in, err) : 0;
	if (dup < 0 || (s = stmt(st, S_INBOUND_INSERT, err)) == NULL)
		return FALSE;
	bind_text(s, 1, in->mailbox);
	sqlite3_bind_int64(s, 2, in->uidvalidity);
	sqlite3_bind_int64(s, 3, uid);
	sqlite3_bind_int64(s, 4, in->now);
	sqlite3_bind_int64(s, 5, in->size);
	bind_text(s, 6, in->sha256);
	bind_text(s, 7, in->message_id);
	bind_text(s, 8, in->source);
	bind_text(s, 9, dup > 0 ? "duplicate" : "new");
	if (dup > 0)
		sqlite3_bind_int64(s, 10, dup);
	if (in->raw != NULL)
		sqlite3_bind_blob64(s, 11, in->raw, (sqlite3_uint64)in->size,
		    SQLITE_STATIC);
	if (!step_done(st, s, err))
		return FALSE;
	if (sqlite3_changes(st->db) == 0)
		*added = STORE_ALREADY;
	else
		*added = dup > 0 ? STORE_DUPLICATE : STORE_ADDED;
	*id = *added == STORE_ALREADY ? 0 : sqlite3_last_insert_rowid(st->db);
	if (in->uidvalidity == 0)
		return TRUE;
	if ((s = stmt(st, S_MAILBOX_RAISE, err)) == NULL)
		return FALSE;
	bind_text(s, 1, in->mailbox);
	sqlite3_bind_int64(s, 2, in->uidvalidity);
	sqlite3_bind_int64(s, 3, uid);
	return step_done(st, s, err);
}

static void
read_inbound_row(sqlite3_stmt *s, struct store_inbound_row *r)
{
	r->id = sqlite3_column_int64(s, 0);
	r->mailbox = dup_column(s, 1);
	r->sha256 = dup_column(s, 2);
	r->state = dup_column(s, 3);
	r->reason = dup_column(s, 4);
	r->message_id = dup_column(s, 5);
	r->size = sqlite3_column_int64(s, 6);
	r->fetched_at = sqlite3_column_int64(s, 7);
	r->processed_at = sqlite3_column_int64(s, 8);
}

void
store_inbound_row_clear(struct store_inbound_row *r)
{
	g_free(r->mailbox);
	g_free(r->sha256);
	g_free(r->state);
	g_free(r->reason);
	g_free(r->message_id);
	memset(r, 0, sizeof(*r));
}

static gboolean
inbound_one(struct store *st, sqlite3_stmt *s, struct store_inbound_row *r,
    GError **err)
{
	int	 rc;

	memset(r, 0, sizeof(*r));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_inbound_row(s, r);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(st, err, "inbound");
	return rc == SQLITE_ROW;
}

gboolean
store_inbound_next(struct store *st, struct store_inbound_row *r,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_INBOUND_NEXT, err)) == NULL)
		return FALSE;
	return inbound_one(st, s, r, err);
}

gboolean
store_inbound_get(struct store *st, int64_t id, struct store_inbound_row *r,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_INBOUND_GET, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	return inbound_one(st, s, r, err);
}

gboolean
store_inbound_set_state(struct store *st, int64_t id, const char *state,
    const char *reason, int64_t now, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_INBOUND_SET_STATE, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, state);
	bind_text(s, 3, reason);
	if (strcmp(state, "new") != 0)
		sqlite3_bind_int64(s, 4, now);
	return step_done(st, s, err);
}

static void
row_array_clear(gpointer p)
{
	store_inbound_row_clear(p);
}

GArray *
store_inbound_list(struct store *st, const char *state, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*rows;
	int		 rc;

	if ((s = stmt(st, S_INBOUND_LIST, err)) == NULL)
		return NULL;
	bind_text(s, 1, state);
	rows = g_array_new(FALSE, TRUE, sizeof(struct store_inbound_row));
	g_array_set_clear_func(rows, row_array_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_inbound_row r;

		read_inbound_row(s, &r);
		g_array_append_val(rows, r);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(rows);
		sql_fail(st, err, "inbound list");
		return NULL;
	}
	return rows;
}

GArray *
store_inbound_set_aside(struct store *st, int64_t since, int limit,
    GError **err)
{
	sqlite3_stmt	*s;
	GArray		*rows;
	int		 rc;

	if ((s = stmt(st, S_INBOUND_SET_ASIDE, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int(s, 2, limit);
	rows = g_array_new(FALSE, TRUE, sizeof(struct store_inbound_row));
	g_array_set_clear_func(rows, row_array_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_inbound_row r;

		read_inbound_row(s, &r);
		g_array_append_val(rows, r);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(rows);
		sql_fail(st, err, "inbound set aside");
		return NULL;
	}
	return rows;
}

gboolean
store_inbound_count(struct store *st, const char *state, int64_t *n,
    GError **err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = stmt(st, S_INBOUND_COUNT, err)) == NULL)
		return FALSE;
	bind_text(s, 1, state);
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sql_fail(st, err, "inbound count");
	return TRUE;
}

GBytes *
store_inbound_raw(struct store *st, int64_t id, GError **err)
{
	sqlite3_stmt	*s;
	GBytes		*raw = NULL;

	if ((s = stmt(st, S_INBOUND_RAW, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) == SQLITE_BLOB)
		raw = g_bytes_new(sqlite3_column_blob(s, 0),
		    (gsize)sqlite3_column_bytes(s, 0));
	sqlite3_reset(s);
	return raw;
}

GArray *
store_inbound_new_ids(struct store *st, int limit, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*ids;
	int		 rc;

	if ((s = stmt(st, S_INBOUND_NEW_IDS, err)) == NULL)
		return NULL;
	sqlite3_bind_int(s, 1, limit);
	ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t	 id = sqlite3_column_int64(s, 0);

		g_array_append_val(ids, id);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(ids);
		sql_fail(st, err, "inbound ids");
		return NULL;
	}
	return ids;
}

gboolean
store_savepoint(struct store *st, GError **err)
{
	return exec(st, "SAVEPOINT one_message", err);
}

gboolean
store_release(struct store *st, gboolean keep, GError **err)
{
	if (!keep && !exec(st, "ROLLBACK TO one_message", err))
		return FALSE;
	return exec(st, "RELEASE one_message", err);
}

gboolean
store_message_add(struct store *st, const struct store_message *m,
    int64_t *id, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_MESSAGE_INSERT, err)) == NULL)
		return FALSE;
	if (m->inbound_id > 0)
		sqlite3_bind_int64(s, 1, m->inbound_id);
	bind_text(s, 2, m->direction);
	bind_text(s, 3, m->message_id);
	bind_text(s, 4, m->in_reply_to);
	bind_text(s, 5, m->references);
	bind_text(s, 6, m->subject);
	bind_text(s, 7, m->from_name);
	bind_text(s, 8, m->from_addr);
	bind_text(s, 9, m->reply_to);
	bind_text(s, 10, m->to_addrs);
	bind_text(s, 11, m->cc_addrs);
	if (m->date != 0)
		sqlite3_bind_int64(s, 12, m->date);
	bind_text(s, 13, m->body);
	bind_text(s, 14, m->flags);
	if (!step_done(st, s, err))
		return FALSE;
	*id = sqlite3_last_insert_rowid(st->db);
	return TRUE;
}

gboolean
store_attachment_add(struct store *st, int64_t message, const char *filename,
    const char *type, int64_t size, const char *sha256, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_ATTACHMENT_INSERT, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, message);
	bind_text(s, 2, filename);
	bind_text(s, 3, type);
	sqlite3_bind_int64(s, 4, size);
	bind_text(s, 5, sha256);
	return step_done(st, s, err);
}

gboolean
store_outbox_add(struct store *st, const struct store_outbox *o, int64_t *id,
    GError **err)
{
	sqlite3_stmt	*s;
	gsize		 len;
	const void	*data;

	if ((s = stmt(st, S_OUTBOX_INSERT, err)) == NULL)
		return FALSE;
	bind_text(s, 1, o->kind);
	if (o->case_id > 0)
		sqlite3_bind_int64(s, 2, o->case_id);
	bind_text(s, 3, o->mail_from);
	bind_text(s, 4, o->rcpt);
	bind_text(s, 5, o->message_id);
	if (o->data != NULL) {
		data = g_bytes_get_data(o->data, &len);
		sqlite3_bind_blob64(s, 6, data, len, SQLITE_STATIC);
	}
	sqlite3_bind_int64(s, 7, o->queued_at);
	bind_text(s, 8, o->letter);
	if (!step_done(st, s, err))
		return FALSE;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return TRUE;
}

static void
outbox_row_clear(gpointer p)
{
	struct store_outbox *o = p;

	g_free((char *)o->kind);
	g_free((char *)o->mail_from);
	g_free((char *)o->rcpt);
	g_free((char *)o->message_id);
	g_free((char *)o->state);
	g_free((char *)o->reply);
	g_free((char *)o->letter);
	if (o->data != NULL)
		g_bytes_unref(o->data);
	memset(o, 0, sizeof(*o));
}

static GArray *
outbox_rows(struct store *st, sqlite3_stmt *s, GError **err)
{
	GArray	*rows;
	int	 rc;

	rows = g_array_new(FALSE, TRUE, sizeof(struct store_outbox));
	g_array_set_clear_func(rows, outbox_row_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_outbox o;

		memset(&o, 0, sizeof(o));
		o.id = sqlite3_column_int64(s, 0);
		o.kind = dup_column(s, 1);
		o.mail_from = dup_column(s, 2);
		o.rcpt = dup_column(s, 3);
		o.message_id = dup_column(s, 4);
		if (sqlite3_column_type(s, 5) == SQLITE_BLOB)
			o.data = g_bytes_new(sqlite3_column_blob(s, 5),
			    (gsize)sqlite3_column_bytes(s, 5));
		o.attempts = sqlite3_column_int(s, 6);
		o.queued_at = sqlite3_column_int64(s, 7);
		o.state = dup_column(s, 8);
		o.reply = dup_column(s, 9);
		o.next_at = sqlite3_column_int64(s, 10);
		if (sqlite3_column_count(s) > 11)
			o.case_id = sqlite3_column_int64(s, 11);
		if (sqlite3_column_count(s) > 12)
			o.letter = dup_column(s, 12);
		g_array_append_val(rows, o);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(rows);
		sql_fail(st, err, "outbox");
		return NULL;
	}
	return rows;
}

GArray *
store_outbox_due(struct store *st, int64_t now, int limit, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_OUTBOX_DUE, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	return outbox_rows(st, s, err);
}

GArray *
store_outbox_list(struct store *st, const char *state, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_OUTBOX_LIST, err)) == NULL)
		return NULL;
	bind_text(s, 1, state);
	return outbox_rows(st, s, err);
}

GArray *
store_outbox_unreported(struct store *st, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_OUTBOX_UNREPORTED, err)) == NULL)
		return NULL;
	return outbox_rows(st, s, err);
}

gboolean
store_outbox_set_reported(struct store *st, int64_t id, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_OUTBOX_REPORTED, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	return step_done(st, s, err);
}

gboolean
store_outbox_result(struct store *st, const struct store_outbox *o,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_OUTBOX_RESULT, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, o->id);
	bind_text(s, 2, o->state);
	sqlite3_bind_int(s, 3, o->attempts);
	sqlite3_bind_int64(s, 4, o->next_at);
	if (o->sent_at > 0)
		sqlite3_bind_int64(s, 5, o->sent_at);
	bind_text(s, 6, o->reply);
	return step_done(st, s, err);
}

GArray *
store_outbox_intents(struct store *st, int limit, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_OUTBOX_INTENTS, err)) == NULL)
		return NULL;
	sqlite3_bind_int(s, 1, limit);
	return outbox_rows(st, s, err);
}

gboolean
store_outbox_composed(struct store *st, int64_t id, GBytes *data,
    int64_t now, GError **err)
{
	sqlite3_stmt	*s;
	gsize		 len;
	const void	*p = g_bytes_get_data(data, &len);

	if ((s = stmt(st, S_OUTBOX_COMPOSED, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_blob64(s, 2, p, len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	return step_done(st, s, err);
}

gboolean
store_outbox_uncomposable(struct store *st, int64_t id, const char *why,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_OUTBOX_UNCOMPOSABLE, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, why);
	return step_done(st, s, err);
}

gboolean
store_outbox_claim(struct store *st, int64_t id, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_OUTBOX_CLAIM, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	return step_done(st, s, err);
}

int
store_outbox_in_doubt(struct store *st, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_OUTBOX_IN_DOUBT, err)) == NULL ||
	    !step_done(st, s, err))
		return -1;
	return sqlite3_changes(st->db);
}

int64_t
store_outbox_last(struct store *st, const char *kind)
{
	sqlite3_stmt	*s;
	int64_t		 at = 0;

	if ((s = stmt(st, S_OUTBOX_LAST, NULL)) == NULL)
		return 0;
	bind_text(s, 1, kind);
	if (sqlite3_step(s) == SQLITE_ROW)
		at = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return at;
}

int64_t
store_outbox_next_at(struct store *st)
{
	sqlite3_stmt	*s;
	int64_t		 at = 0;

	if ((s = stmt(st, S_OUTBOX_NEXT_AT, NULL)) == NULL)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		at = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return at;
}

gboolean
store_outbox_retry(struct store *st, int64_t id, int64_t now, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_OUTBOX_RETRY, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	if (!step_done(st, s, err))
		return FALSE;
	if (sqlite3_changes(st->db) == 0) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_SQL, "outbox row %"
		    G_GINT64_FORMAT " is not a failed row", id);
		return FALSE;
	}
	return TRUE;
}

static void
health_row_clear(gpointer p)
{
	struct store_health *h = p;

	g_free(h->mailbox);
	g_free(h->last_error);
}

GArray *
store_mailbox_all(struct store *st, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*rows;
	int		 rc;

	if ((s = stmt(st, S_MAILBOX_ALL, err)) == NULL)
		return NULL;
	rows = g_array_new(FALSE, TRUE, sizeof(struct store_health));
	g_array_set_clear_func(rows, health_row_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_health h;

		h.mailbox = dup_column(s, 0);
		h.state.uidvalidity = (uint32_t)sqlite3_column_int64(s, 1);
		h.state.last_uid = (uint32_t)sqlite3_column_int64(s, 2);
		h.state.failing_since = sqlite3_column_int64(s, 3);
		h.state.alerted = sqlite3_column_int(s, 4) != 0;
		h.last_error = dup_column(s, 5);
		g_array_append_val(rows, h);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(rows);
		sql_fail(st, err, "mailbox state");
		return NULL;
	}
	return rows;
}

gboolean
store_mailbox_set_alerted(struct store *st, const char *mailbox,
    gboolean alerted, GError **err)
{
	return exec_bound(st, "UPDATE mailbox_state SET alerted = ?2 WHERE "
	    "mailbox = ?1", mailbox, alerted, err);
}

/* The next number of prefix in year, inside the caller's transaction. */
static int64_t
case_seq(struct store *st, const char *prefix, int year, GError **err)
{
	sqlite3_stmt	*s;
	int64_t		 n = -1;

	if ((s = stmt(st, S_CASE_SEQ, err)) == NULL)
		return -1;
	bind_text(s, 1, prefix);
	sqlite3_bind_int(s, 2, year);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (n < 0)
		sql_fail(st, err, "case numbering");
	return n;
}

gboolean
store_case_open(struct store *st, struct store_case *c, GError **err)
{
	sqlite3_stmt	*s;
	int64_t		 seq;

	if ((seq = case_seq(st, c->prefix, c->year, err)) < 0 ||
	    (s = stmt(st, S_CASE_INSERT, err)) == NULL)
		return FALSE;
	g_free(c->ref);
	c->ref = g_strdup_printf("%s-%d-%04" G_GINT64_FORMAT, c->prefix,
	    c->year, seq);
	bind_text(s, 1, c->ref);
	bind_text(s, 2, c->type);
	bind_text(s, 3, c->prefix);
	sqlite3_bind_int(s, 4, c->year);
	sqlite3_bind_int64(s, 5, seq);
	bind_text(s, 6, c->state);
	bind_text(s, 7, c->mailbox);
	bind_text(s, 8, c->subject);
	bind_text(s, 9, c->complainant_name);
	bind_text(s, 10, c->complainant_addr);
	bind_text(s, 11, c->reply_to);
	sqlite3_bind_int64(s, 12, c->opened_at);
	if (c->linked_to > 0)
		sqlite3_bind_int64(s, 13, c->linked_to);
	bind_text(s, 14, c->missing);
	sqlite3_bind_int(s, 15, c->out_of_time ? 1 : 0);
	bind_text(s, 16, c->lang);
	if (!step_done(st, s, err))
		return FALSE;
	c->id = sqlite3_last_insert_rowid(st->db);
	return TRUE;
}

/* A row of the case SELECTs, whose columns all come in this order. */
static void
case_columns(sqlite3_stmt *s, struct store_case *c)
{
	c->id = sqlite3_column_int64(s, 0);
	c->ref = dup_column(s, 1);
	c->type = dup_column(s, 2);
	c->state = dup_column(s, 3);
	c->mailbox = dup_column(s, 4);
	c->subject = dup_column(s, 5);
	c->complainant_name = dup_column(s, 6);
	c->complainant_addr = dup_column(s, 7);
	c->reply_to = dup_column(s, 8);
	c->opened_at = sqlite3_column_int64(s, 9);
	c->missing = dup_column(s, 10);
	c->out_of_time = sqlite3_column_int(s, 11) != 0;
	c->lang = dup_column(s, 12);
	c->purged_at = sqlite3_column_int64(s, 13);
}

static gboolean
case_row(struct store *st, sqlite3_stmt *s, struct store_case *c, GError **err)
{
	int	 rc = sqlite3_step(s);

	memset(c, 0, sizeof(*c));
	if (rc == SQLITE_ROW)
		case_columns(s, c);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(st, err, "case");
	return rc == SQLITE_ROW;
}

gboolean
store_case_by_ref(struct store *st, const char *ref, struct store_case *c,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_CASE_BY_REF, err)) == NULL)
		return FALSE;
	bind_text(s, 1, ref);
	return case_row(st, s, c, err);
}

gboolean
store_case_by_id(struct store *st, int64_t id, struct store_case *c,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_CASE_BY_ID, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	return case_row(st, s, c, err);
}

void
store_case_clear(struct store_case *c)
{
	g_free(c->ref);
	g_free(c->type);
	g_free(c->prefix);
	g_free(c->state);
	g_free(c->mailbox);
	g_free(c->subject);
	g_free(c->complainant_name);
	g_free(c->complainant_addr);
	g_free(c->reply_to);
	g_free(c->missing);
	g_free(c->lang);
	memset(c, 0, sizeof(*c));
}

gboolean
store_case_set_state(struct store *st, int64_t id, const char *state,
    int64_t now, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_CASE_SET_STATE, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, state);
	sqlite3_bind_int64(s, 3, now);
	return step_done(st, s, err);
}

gboolean
store_case_set_missing(struct store *st, int64_t id, const char *missing,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_CASE_SET_MISSING, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, missing);
	return step_done(st, s, err);
}

gboolean
store_case_set_out_of_time(struct store *st, int64_t id, gboolean late,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_CASE_SET_OUT_OF_TIME, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, late ? 1 : 0);
	return step_done(st, s, err);
}

int64_t
store_case_by_message_id(struct store *st, const char *msgid, GError **err)
{
	sqlite3_stmt	*s;
	int64_t		 id = 0;

	if (msgid == NULL || (s = stmt(st, S_CASE_BY_MSGID, err)) == NULL)
		return msgid == NULL ? 0 : -1;
	bind_text(s, 1, msgid);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return id;
}

char *
store_case_texts(struct store *st, int64_t id, GError **err)
{
	sqlite3_stmt	*s;
	GString		*all;

	if ((s = stmt(st, S_CASE_TEXTS, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	all = g_string_new(NULL);
	while (sqlite3_step(s) == SQLITE_ROW)
		g_string_append_printf(all, "%s\n",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return g_string_free(all, FALSE);
}

gboolean
store_message_set_case(struct store *st, int64_t message, int64_t case_id,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_MESSAGE_SET_CASE, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, message);
	sqlite3_bind_int64(s, 2, case_id);
	return step_done(st, s, err);
}

/*
 * Append an event.  Its hash covers the previous event's hash, the case,
 * the time, the kind and the seal (digests of actor and detail), so that
 * an edit or a deletion breaks the chain (recoursctl verify), while a
 * purge may erase the actor and the detail and leave the chain whole.
 */
gboolean
store_event_add(struct store *st, int64_t case_id, int64_t at,
    const char *actor, const char *kind, const char *detail, GError **err)
{
	sqlite3_stmt	*s;
	char		*prev = NULL, *sealed, *hash;
	gboolean	 ok;

	if ((s = stmt(st, S_EVENT_LAST, err)) == NULL)
		return FALSE;
	if (sqlite3_step(s) == SQLITE_ROW)
		prev = dup_column(s, 0);
	sqlite3_reset(s);
	sealed = store_event_seal(actor, detail);
	hash = store_event_hash(prev, case_id, at, kind, sealed);
	if ((s = stmt(st, S_EVENT_INSERT, err)) == NULL) {
		ok = FALSE;
		goto out;
	}
	if (case_id > 0)
		sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_int64(s, 2, at);
	bind_text(s, 3, actor);
	bind_text(s, 4, kind);
	bind_text(s, 5, detail);
	bind_text(s, 6, prev != NULL ? prev : "");
	bind_text(s, 7, hash);
	bind_text(s, 8, sealed);
	ok = step_done(st, s, err);
out:
	g_free(prev);
	g_free(sealed);
	g_free(hash);
	return ok;
}

static void
case_array_clear(gpointer p)
{
	store_case_clear(p);
}

GArray *
store_case_list(struct store *st, const char *type, const char *state,
    int year, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*rows;
	struct store_case c;

	if ((s = stmt(st, S_CASE_LIST, err)) == NULL)
		return NULL;
	bind_text(s, 1, type);
	bind_text(s, 2, state);
	if (year > 0)
		sqlite3_bind_int(s, 3, year);
	rows = g_array_new(FALSE, TRUE, sizeof(struct store_case));
	g_array_set_clear_func(rows, case_array_clear);
	for (;;) {
		/* case_row() resets the statement: bind again each time. */
		int	 rc = sqlite3_step(s);

		if (rc != SQLITE_ROW) {
			sqlite3_reset(s);
			if (rc != SQLITE_DONE) {
				g_array_unref(rows);
				sql_fail(st, err, "cases");
				return NULL;
			}
			return rows;
		}
		memset(&c, 0, sizeof(c));
		case_columns(s, &c);
		g_array_append_val(rows, c);
	}
}

static void
event_clear(gpointer p)
{
	struct store_event *e = p;

	g_free(e->actor);
	g_free(e->kind);
	g_free(e->detail);
	g_free(e->prev);
	g_free(e->hash);
	g_free(e->sealed);
}

static GArray *
events(struct store *st, sqlite3_stmt *s, GError **err)
{
	GArray	*rows = g_array_new(FALSE, TRUE, sizeof(struct store_event));
	int	 rc;

	g_array_set_clear_func(rows, event_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_event e;

		e.id = sqlite3_column_int64(s, 0);
		e.case_id = sqlite3_column_int64(s, 1);
		e.at = sqlite3_column_int64(s, 2);
		e.actor = dup_column(s, 3);
		e.kind = dup_column(s, 4);
		e.detail = dup_column(s, 5);
		e.prev = dup_column(s, 6);
		e.hash = dup_column(s, 7);
		e.sealed = dup_column(s, 8);
		g_array_append_val(rows, e);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(rows);
		sql_fail(st, err, "events");
		return NULL;
	}
	return rows;
}

GArray *
store_case_events(struct store *st, int64_t case_id, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_EVENT_LIST, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, case_id);
	return events(st, s, err);
}

static char *
sha256_hex(const char *s)
{
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, s, -1);
}

char *
store_event_seal(const char *actor, const char *detail)
{
	char	*a = sha256_hex(actor != NULL ? actor : "");
	char	*d = sha256_hex(detail != NULL ? detail : "");
	char	*sealed = g_strconcat(a, ":", d, NULL);

	g_free(a);
	g_free(d);
	return sealed;
}

char *
store_event_hash(const char *prev, int64_t case_id, int64_t at,
    const char *kind, const char *sealed)
{
	char	*input, *hash;

	input = g_strdup_printf("2|%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT
	    "|%s|%s", prev != NULL ? prev : "", case_id, at, kind, sealed);
	hash = sha256_hex(input);
	g_free(input);
	return hash;
}

/* The form of migrations 3 to 5: the clear text under the hash. */
static char *
event_hash_v1(const struct store_event *e)
{
	char	*input, *hash;

	input = g_strdup_printf("%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT
	    "|%s|%s|%s", e->prev, e->case_id, e->at, e->actor, e->kind,
	    e->detail != NULL ? e->detail : "");
	hash = sha256_hex(input);
	g_free(input);
	return hash;
}

/*
 * Which of an event's actor and detail still match its seal: 1 each
 * that matches, 0 each erased (empty where the seal says it was not),
 * -1 when one was changed.
 */
static int
event_seal_check(const struct store_event *e, gboolean *erased)
{
	char	*now = store_event_seal(e->actor, e->detail);
	char	*empty = store_event_seal("", NULL);
	gboolean a_same = strncmp(now, e->sealed, 64) == 0;
	gboolean d_same = strcmp(now + 64, e->sealed + 64) == 0;
	gboolean a_gone = *e->actor == '\0' &&
	    strncmp(empty, e->sealed, 64) != 0;
	gboolean d_gone = e->detail == NULL &&
	    strcmp(empty + 64, e->sealed + 64) != 0;

	g_free(now);
	g_free(empty);
	*erased = a_gone || d_gone;
	return (a_same || a_gone) && (d_same || d_gone) ? 0 : -1;
}

/* Ids of the cases purged, each with the id of its "purged" event. */
static GHashTable *
purge_events(GArray *all)
{
	GHashTable *purged = g_hash_table_new_full(g_int64_hash,
	    g_int64_equal, g_free, g_free);
	guint	 i;

	for (i = 0; i < all->len; i++) {
		const struct store_event *e = &g_array_index(all,
		    struct store_event, i);

		if (e->case_id > 0 && strcmp(e->kind, "purged") == 0)
			g_hash_table_replace(purged, g_memdup2(&e->case_id,
			    sizeof(int64_t)), g_memdup2(&e->id, sizeof(int64_t)));
	}
	return purged;
}

/* Why e breaks the chain, or NULL; counts it in *erased when purged. */
static char *
event_fault(const struct store_event *e, const char *prev,
    GHashTable *purged, int64_t *erased)
{
	const int64_t *purge = g_hash_table_lookup(purged, &e->case_id);
	gboolean by_purge = purge != NULL && *purge > e->id;
	gboolean gone = FALSE, ok;
	char	*h;

	if (strcmp(e->prev, prev) != 0)
		return g_strdup_printf("event %" G_GINT64_FORMAT " does not "
		    "follow the event before it: an event before it was "
		    "removed or altered", e->id);
	if (e->sealed == NULL) {
		/* An erased old-form event cannot be recomputed. */
		gone = *e->actor == '\0';
		h = gone ? g_strdup(e->hash) : event_hash_v1(e);
	} else {
		h = store_event_hash(e->prev, e->case_id, e->at, e->kind,
		    e->sealed);
		if (strlen(e->sealed) != 129 || event_seal_check(e, &gone) == -1) {
			g_free(h);
			h = NULL;
		}
	}
	ok = h != NULL && strcmp(h, e->hash) == 0;
	g_free(h);
	if (!ok)
		return g_strdup_printf("event %" G_GINT64_FORMAT " was altered: "
		    "its content no longer matches its hash", e->id);
	if (gone && !by_purge)
		return g_strdup_printf("event %" G_GINT64_FORMAT " was erased, "
		    "but no purge of its case follows it", e->id);
	*erased += gone;
	return NULL;
}

int64_t
store_verify_events(struct store *st, int64_t *count, int64_t *erased,
    char **why, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*all;
	GHashTable	*purged;
	const char	*prev = "";
	int64_t		 bad = 0;
	guint		 i;

	if ((s = stmt(st, S_EVENT_ALL, err)) == NULL ||
	    (all = events(st, s, err)) == NULL)
		return -1;
	*count = all->len;
	*erased = 0;
	purged = purge_events(all);
	for (i = 0; bad == 0 && i < all->len; i++) {
		const struct store_event *e = &g_array_index(all,
		    struct store_event, i);

		if ((*why = event_fault(e, prev, purged, erased)) != NULL)
			bad = e->id;
		prev = e->hash;
	}
	g_hash_table_unref(purged);
	g_array_unref(all);
	return bad;
}

gboolean
store_timer_add(struct store *st, int64_t case_id, const char *deadline,
    const char *kind, int64_t due_at, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_TIMER_ADD, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, deadline);
	bind_text(s, 3, kind);
	sqlite3_bind_int64(s, 4, due_at);
	return step_done(st, s, err);
}

static void
timer_clear(gpointer p)
{
	struct store_timer *t = p;

	g_free(t->deadline);
	g_free(t->kind);
	g_free(t->state);
}

static GArray *
timer_rows(struct store *st, sqlite3_stmt *s, GError **err)
{
	GArray	*rows = g_array_new(FALSE, TRUE, sizeof(struct store_timer));
	int	 rc;

	g_array_set_clear_func(rows, timer_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_timer t;

		t.id = sqlite3_column_int64(s, 0);
		t.case_id = sqlite3_column_int64(s, 1);
		t.deadline = dup_column(s, 2);
		t.kind = dup_column(s, 3);
		t.due_at = sqlite3_column_int64(s, 4);
		t.state = dup_column(s, 5);
		t.fired_at = sqlite3_column_int64(s, 6);
		t.attempts = sqlite3_column_int(s, 7);
		g_array_append_val(rows, t);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(rows);
		sql_fail(st, err, "timers");
		return NULL;
	}
	return rows;
}

GArray *
store_timers_due(struct store *st, int64_t now, int limit, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_TIMER_DUE, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	return timer_rows(st, s, err);
}

GArray *
store_case_timers(struct store *st, int64_t case_id, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_TIMER_OF_CASE, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, case_id);
	return timer_rows(st, s, err);
}

gboolean
store_timer_set(struct store *st, int64_t id, const char *state,
    int64_t fired_at, gboolean *changed, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_TIMER_SET, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, state);
	sqlite3_bind_int64(s, 3, fired_at);
	if (!step_done(st, s, err))
		return FALSE;
	*changed = sqlite3_changes(st->db) > 0;
	return TRUE;
}

static gboolean
timer_not_fired(struct store *st, enum stmt_id which, int64_t id,
    int64_t at, const char *reason, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, which, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, at);
	bind_text(s, 3, reason);
	return step_done(st, s, err);
}

gboolean
store_timer_retry(struct store *st, int64_t id, int64_t retry_at,
    const char *reason, GError **err)
{
	return timer_not_fired(st, S_TIMER_RETRY, id, retry_at, reason, err);
}

gboolean
store_timer_fail(struct store *st, int64_t id, int64_t now,
    const char *reason, GError **err)
{
	return timer_not_fired(st, S_TIMER_FAILED, id, now, reason, err);
}

gboolean
store_inbound_case(struct store *st, int64_t id, char **ref, GError **err)
{
	sqlite3_stmt	*s;
	int		 rc;

	*ref = NULL;
	if ((s = stmt(st, S_INBOUND_CASE, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*ref = g_strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(st, err, "inbound case");
	return TRUE;
}

gboolean
store_outbox_backlog(struct store *st, int64_t *n, int64_t *oldest,
    GError **err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = stmt(st, S_OUTBOX_BACKLOG, err)) == NULL)
		return FALSE;
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	*oldest = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sql_fail(st, err, "outbox backlog");
	return TRUE;
}

int64_t
store_timer_next(struct store *st)
{
	sqlite3_stmt	*s;
	int64_t		 at = 0;

	if ((s = stmt(st, S_TIMER_NEXT, NULL)) == NULL)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		at = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return at;
}

int64_t
store_case_reached(struct store *st, int64_t case_id, const char *what,
    GError **err)
{
	sqlite3_stmt	*s;
	int64_t		 at = 0;
	gboolean	 ack = strcmp(what, "ack") == 0;
	gboolean	 command = what[0] == '#';

	if ((s = stmt(st, ack ? S_REACHED_ACK : command ? S_REACHED_EVENT :
	    S_REACHED_STATE, err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, case_id);
	if (!ack)
		bind_text(s, 2, command ? what + 1 : what);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		at = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return at;
}

int64_t
store_outbox_recent(struct store *st, const char *rcpt, const char *kind,
    int64_t since, GError **err)
{
	sqlite3_stmt	*s;
	int64_t		 n = -1;

	if ((s = stmt(st, S_OUTBOX_RECENT, err)) == NULL)
		return -1;
	bind_text(s, 1, rcpt);
	bind_text(s, 2, kind);
	sqlite3_bind_int64(s, 3, since);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

gboolean
store_outbox_by_message_id(struct store *st, const char *msgid,
    struct store_outbox *o, GError **err)
{
	sqlite3_stmt	*s;
	gboolean	 found;

	memset(o, 0, sizeof(*o));
	if ((s = stmt(st, S_OUTBOX_BY_MSGID, err)) == NULL)
		return FALSE;
	bind_text(s, 1, msgid);
	if (sqlite3_step(s) == SQLITE_ROW) {
		o->case_id = sqlite3_column_int64(s, 11);
		o->rcpt = dup_column(s, 3);
		o->kind = dup_column(s, 1);
	}
	sqlite3_reset(s);
	found = o->rcpt != NULL;
	return found;
}

gboolean
store_case_set_type(struct store *st, int64_t id, const char *type,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_CASE_SET_TYPE, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, type);
	return step_done(st, s, err);
}

char *
store_case_last_in(struct store *st, int64_t id, GError **err)
{
	sqlite3_stmt	*s;
	char		*msgid = NULL;

	if ((s = stmt(st, S_CASE_LAST_IN, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		msgid = dup_column(s, 0);
	sqlite3_reset(s);
	return msgid;
}

char *
store_case_undelivered(struct store *st, int64_t id, GError **err)
{
	sqlite3_stmt	*s;
	char		*detail = NULL;
	int		 rc;

	if ((s = stmt(st, S_CASE_UNDELIVERED, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		detail = dup_column(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		sql_fail(st, err, "undelivered");
	return detail;
}

gboolean
store_timers_cancel(struct store *st, int64_t case_id, int64_t now,
    GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_TIMERS_CANCEL, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_int64(s, 2, now);
	return step_done(st, s, err);
}

static void
facts_clear(gpointer p)
{
	g_free(((struct store_facts *)p)->type);
}

GArray *
store_case_facts(struct store *st, int year, const char *type, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*rows;
	int		 rc;

	if ((s = stmt(st, S_CASE_FACTS, err)) == NULL)
		return NULL;
	sqlite3_bind_int(s, 1, year);
	bind_text(s, 2, type);
	rows = g_array_new(FALSE, TRUE, sizeof(struct store_facts));
	g_array_set_clear_func(rows, facts_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_facts f;

		f.type = dup_column(s, 0);
		f.opened_at = sqlite3_column_int64(s, 1);
		f.ack_at = sqlite3_column_int64(s, 2);
		f.decided_at = sqlite3_column_int64(s, 3);
		f.admissible = sqlite3_column_int(s, 4);
		f.inadmissible = sqlite3_column_int(s, 5);
		f.founded = sqlite3_column_int(s, 6);
		f.closed = sqlite3_column_int(s, 7);
		f.met = sqlite3_column_int(s, 8);
		f.missed = sqlite3_column_int(s, 9);
		f.actions = sqlite3_column_int(s, 10);
		f.checked = sqlite3_column_int(s, 11);
		f.closed_actions = sqlite3_column_int(s, 12);
		g_array_append_val(rows, f);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(rows);
		sql_fail(st, err, "indicators");
		return NULL;
	}
	return rows;
}

GArray *
store_case_mail(struct store *st, int64_t case_id, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*rows;
	int		 rc;

	if ((s = stmt(st, S_CASE_MAIL, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, case_id);
	rows = g_array_new(FALSE, TRUE, sizeof(struct store_mail));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_mail m;

		m.id = sqlite3_column_int64(s, 0);
		g_strlcpy(m.sha256, (const char *)sqlite3_column_text(s, 1),
		    sizeof(m.sha256));
		m.at = sqlite3_column_int64(s, 2);
		m.outgoing = strcmp((const char *)sqlite3_column_text(s, 3),
		    "out") == 0;
		g_array_append_val(rows, m);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(rows);
		sql_fail(st, err, "case mail");
		return NULL;
	}
	return rows;
}

GBytes *
store_outbox_data(struct store *st, int64_t id, GError **err)
{
	sqlite3_stmt	*s;
	GBytes		*data = NULL;

	(void)err;
	if (sqlite3_prepare_v2(st->db, "SELECT data FROM outbox WHERE id = ?1",
	    -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		data = g_bytes_new(sqlite3_column_blob(s, 0),
		    (gsize)sqlite3_column_bytes(s, 0));
	sqlite3_finalize(s);
	return data;
}

GArray *
store_case_attachments(struct store *st, int64_t case_id, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*rows;

	if (sqlite3_prepare_v2(st->db, "SELECT a.filename, a.sha256 FROM "
	    "attachment a JOIN message m ON m.id = a.message WHERE "
	    "m.case_id = ?1 ORDER BY a.id", -1, &s, NULL) != SQLITE_OK) {
		sql_fail(st, err, "attachments");
		return NULL;
	}
	sqlite3_bind_int64(s, 1, case_id);
	rows = g_array_new(FALSE, TRUE, sizeof(struct store_file));
	g_array_set_clear_func(rows, file_clear);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct store_file f;

		f.name = dup_column(s, 0);
		g_strlcpy(f.sha256, (const char *)sqlite3_column_text(s, 1),
		    sizeof(f.sha256));
		g_array_append_val(rows, f);
	}
	sqlite3_finalize(s);
	return rows;
}

static void
file_clear(gpointer p)
{
	g_free(((struct store_file *)p)->name);
}

/*
 * Retention.  A purge is rare and runs from recoursctl, so its statements
 * are prepared each time rather than kept.
 */

/* Run sql with ?1 and ?2 bound; the number of rows changed, -1 on error. */
static int64_t
run_ids(struct store *st, const char *sql, int64_t a, int64_t b, GError **err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sql_fail(st, err, sql);
		return -1;
	}
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		sql_fail(st, err, sql);
		return -1;
	}
	return sqlite3_changes64(st->db);
}

/* The first column of every row of sql (?1 bound), appended to ids. */
static gboolean
column_of(struct store *st, const char *sql, int64_t a, GArray *ids,
    GError **err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return sql_fail(st, err, sql);
	sqlite3_bind_int64(s, 1, a);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t	 v = sqlite3_column_int64(s, 0);

		g_array_append_val(ids, v);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, err, sql);
	return TRUE;
}

static void
due_clear(gpointer p)
{
	g_free(((struct store_due *)p)->type);
}

GArray *
store_purge_due(struct store *st, int64_t closed_before, const char *type,
    GError **err)
{
	GArray		*rows = g_array_new(FALSE, TRUE, sizeof(struct store_due));
	sqlite3_stmt	*s;
	int		 rc;

	g_array_set_clear_func(rows, due_clear);
	if (sqlite3_prepare_v2(st->db, "SELECT id, type FROM cases WHERE "
	    "state = 'closed' AND purged_at IS NULL AND closed_at < ?1 AND "
	    "(?2 IS NULL OR type = ?2) ORDER BY id", -1, &s, NULL) != SQLITE_OK) {
		g_array_unref(rows);
		sql_fail(st, err, "cases");
		return NULL;
	}
	sqlite3_bind_int64(s, 1, closed_before);
	bind_text(s, 2, type);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_due d = { sqlite3_column_int64(s, 0),
		    dup_column(s, 1) };

		g_array_append_val(rows, d);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(rows);
		sql_fail(st, err, "cases");
		return NULL;
	}
	return rows;
}

/*
 * Erase one inbound row: its bytes, its Message-ID; queue its server copy
 * for deletion by the mailbox's fetcher (found again by Message-ID).
 */
static gboolean
erase_inbound(struct store *st, int64_t id, int64_t now,
    struct store_purged *p, GError **err)
{
	sqlite3_stmt	*s;
	char		*mailbox = NULL, *msgid = NULL;
	gboolean	 imap = FALSE, ok;

	if (sqlite3_prepare_v2(st->db, "SELECT mailbox, coalesce(message_id, "
	    "(SELECT m.message_id FROM message m WHERE m.inbound_id = i.id)), "
	    "source = 'imap' FROM inbound i WHERE id = ?1 AND purged_at IS NULL",
	    -1, &s, NULL) != SQLITE_OK)
		return sql_fail(st, err, "inbound");
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		mailbox = dup_column(s, 0);
		msgid = dup_column(s, 1);
		imap = sqlite3_column_int(s, 2) != 0;
	}
	sqlite3_finalize(s);
	if (mailbox == NULL)
		return TRUE;	/* already erased: a duplicate met twice */
	ok = run_ids(st, "UPDATE inbound SET raw = NULL, message_id = NULL, "
	    "reason = NULL, purged_at = ?2 WHERE id = ?1", id, now, err) >= 0;
	/*
	 * The server copy is found again by Message-ID: not while a message
	 * kept in the same mailbox has that Message-ID too (its own copy).
	 */
	if (ok && imap && msgid != NULL) {
		ok = sqlite3_prepare_v2(st->db, "INSERT INTO imap_purge (mailbox, "
		    "message_id, queued_at) SELECT ?1, ?2, ?3 WHERE NOT EXISTS "
		    "(SELECT 1 FROM inbound j WHERE j.mailbox = ?1 AND "
		    "j.purged_at IS NULL AND coalesce(j.message_id, (SELECT "
		    "m.message_id FROM message m WHERE m.inbound_id = j.id)) = ?2)",
		    -1, &s, NULL) == SQLITE_OK || sql_fail(st, err, "imap_purge");
		if (ok) {
			bind_text(s, 1, mailbox);
			bind_text(s, 2, msgid);
			sqlite3_bind_int64(s, 3, now);
			ok = sqlite3_step(s) == SQLITE_DONE ||
			    sql_fail(st, err, "imap_purge");
			sqlite3_finalize(s);
			p->imap_copies += ok && sqlite3_changes(st->db) > 0;
		}
	}
	p->messages += ok;
	g_free(mailbox);
	g_free(msgid);
	return ok;
}

/* Erase (or delete) parsed message rows and their attachment rows. */
static gboolean
erase_messages(struct store *st, const char *which, int64_t key,
    gboolean delete, struct store_purged *p, GError **err)
{
	char	*q;
	int64_t	 n;
	gboolean ok;

	q = g_strdup_printf("DELETE FROM attachment WHERE message IN "
	    "(SELECT id FROM message WHERE %s)", which);
	ok = (n = run_ids(st, q, key, 0, err)) >= 0;
	g_free(q);
	if (!ok)
		return FALSE;
	p->attachments += n;
	q = g_strdup_printf(delete ? "DELETE FROM message WHERE %s" :
	    "UPDATE message SET message_id = NULL, in_reply_to = NULL, "
	    "refs = NULL, subject = NULL, from_name = NULL, from_addr = NULL, "
	    "reply_to = NULL, to_addrs = NULL, cc_addrs = NULL, body = NULL, "
	    "flags = NULL WHERE %s", which);
	ok = run_ids(st, q, key, 0, err) >= 0;
	g_free(q);
	return ok;
}

/* Erase every inbound row of ids, and the rows that duplicate them. */
static gboolean
erase_inbound_rows(struct store *st, GArray *ids, int64_t now,
    struct store_purged *p, GError **err)
{
	guint	 i;

	for (i = 0; i < ids->len; i++) {
		int64_t	 id = g_array_index(ids, int64_t, i);

		if (!erase_inbound(st, id, now, p, err) ||
		    !column_of(st, "SELECT id FROM inbound WHERE duplicate_of = "
		    "?1 AND purged_at IS NULL", id, ids, err))
			return FALSE;
	}
	return TRUE;
}

/*
 * The details kept when a case is purged: made by recoursd, naming no
 * one, and read by the indicators (state changes, deadlines met, the
 * cause staff chose, a category).
 */
#define KEPT_DETAILS	"('state', 'complete', 'deadline-met', " \
	"'deadline-missed', 'reminder', 'notice', 'deadlines-restarted', " \
	"'ack', 'cause')"

gboolean
store_purge_case(struct store *st, int64_t case_id, gboolean delete,
    int64_t now, struct store_purged *p, GError **err)
{
	GArray	*inbound = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t	 n;
	gboolean ok;

	ok = column_of(st, "SELECT inbound_id FROM message WHERE case_id = ?1 "
	    "AND inbound_id IS NOT NULL", case_id, inbound, err) &&
	    erase_inbound_rows(st, inbound, now, p, err) &&
	    erase_messages(st, "case_id = ?1", case_id, delete, p, err);
	g_array_unref(inbound);
	/*
	 * A row still pending or an intent would be sent empty: it fails,
	 * unreported.
	 */
	if (!ok || (n = run_ids(st, "UPDATE outbox SET rcpt = '', data = X'', "
	    "letter = NULL, reply = NULL, reported = 1, state = CASE WHEN "
	    "state IN ('pending', 'intent', 'sending') THEN 'failed' ELSE "
	    "state END "
	    "WHERE case_id = ?1", case_id, 0,
	    err)) < 0)
		return FALSE;
	p->letters += n;
	if ((n = run_ids(st, "UPDATE event SET actor = CASE WHEN actor = "
	    "'recoursd' THEN actor ELSE '' END, detail = CASE WHEN kind IN "
	    KEPT_DETAILS " THEN detail END WHERE case_id = ?1", case_id, 0,
	    err)) < 0)
		return FALSE;
	p->events += n;
	return run_ids(st, "UPDATE cases SET subject = NULL, complainant_name = "
	    "NULL, complainant_addr = NULL, reply_to = NULL, missing = NULL, "
	    "purged_at = ?2 WHERE id = ?1", case_id, now, err) >= 0;
}

gboolean
store_purge_unlinked(struct store *st, int64_t before, gboolean delete,
    int64_t now, struct store_purged *p, GError **err)
{
	GArray	*inbound = g_array_new(FALSE, FALSE, sizeof(int64_t));
	guint	 i;
	int64_t	 n;
	gboolean ok;

	/* Not in a case, and not the duplicate of a message in one. */
	ok = column_of(st, "SELECT i.id FROM inbound i WHERE i.purged_at IS "
	    "NULL AND i.state <> 'new' AND i.fetched_at < ?1 AND NOT EXISTS "
	    "(SELECT 1 FROM message m WHERE m.case_id IS NOT NULL AND "
	    "m.inbound_id IN (i.id, i.duplicate_of))", before, inbound, err) && erase_inbound_rows(st, inbound, now, p, err);
	for (i = 0; ok && i < inbound->len; i++)
		ok = erase_messages(st, "inbound_id = ?1",
		    g_array_index(inbound, int64_t, i), delete, p, err);
	g_array_unref(inbound);
	if (!ok || (n = run_ids(st, "UPDATE outbox SET rcpt = '', data = X'', "
	    "letter = NULL, reply = NULL WHERE case_id IS NULL AND state NOT IN "
	    "('pending', 'intent', 'sending') AND "
	    "queued_at < ?1 AND rcpt <> ''", before, 0, err)) < 0)
		return FALSE;
	p->letters += n;
	return TRUE;
}

int
store_digest_in_use(struct store *st, const char *sha256, gboolean attachment,
    GError **err)
{
	sqlite3_stmt	*s;
	int		 rc, used = -1;

	if (sqlite3_prepare_v2(st->db, attachment ?
	    "SELECT EXISTS (SELECT 1 FROM attachment WHERE sha256 = ?1)" :
	    "SELECT EXISTS (SELECT 1 FROM inbound WHERE sha256 = ?1 AND "
	    "purged_at IS NULL)", -1, &s, NULL) != SQLITE_OK) {
		sql_fail(st, err, "digest");
		return -1;
	}
	bind_text(s, 1, sha256);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		used = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		sql_fail(st, err, "digest");
	return used;
}

GPtrArray *
store_imap_purge_list(struct store *st, const char *mailbox, GArray *ids,
    GError **err)
{
	sqlite3_stmt	*s;
	GPtrArray	*msgids = g_ptr_array_new_with_free_func(g_free);
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT id, message_id FROM imap_purge "
	    "WHERE mailbox = ?1 ORDER BY id", -1, &s, NULL) != SQLITE_OK) {
		sql_fail(st, err, "imap_purge");
		g_ptr_array_unref(msgids);
		return NULL;
	}
	bind_text(s, 1, mailbox);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t	 id = sqlite3_column_int64(s, 0);

		g_array_append_val(ids, id);
		g_ptr_array_add(msgids, dup_column(s, 1));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		sql_fail(st, err, "imap_purge");
		g_ptr_array_unref(msgids);
		return NULL;
	}
	return msgids;
}

gboolean
store_imap_purge_done(struct store *st, int64_t id, GError **err)
{
	return run_ids(st, "DELETE FROM imap_purge WHERE id = ?1", id, 0,
	    err) >= 0;
}

gboolean
store_timer_cancel_deadline(struct store *st, int64_t case_id,
    const char *deadline, int64_t now, gboolean *changed, GError **err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "UPDATE timer SET state = 'cancelled', "
	    "fired_at = ?3 WHERE case_id = ?1 AND deadline = ?2 AND state = "
	    "'pending'", -1, &s, NULL) != SQLITE_OK)
		return sql_fail(st, err, "timer");
	sqlite3_bind_int64(s, 1, case_id);
	bind_text(s, 2, deadline);
	sqlite3_bind_int64(s, 3, now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, err, "timer");
	*changed = sqlite3_changes(st->db) > 0;
	return TRUE;
}

static void
cause_clear(gpointer p)
{
	struct store_cause *c = p;

	g_free(c->type);
	g_free(c->cause);
}

GArray *
store_cause_counts(struct store *st, int year, const char *type, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*rows;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT type, cause, count(*) FROM "
	    "(SELECT c.type, (SELECT detail FROM event e WHERE e.case_id = c.id "
	    "AND e.kind = 'cause' ORDER BY e.id DESC LIMIT 1) AS cause FROM "
	    "cases c WHERE c.year = ?1 AND (?2 IS NULL OR c.type = ?2)) WHERE "
	    "cause IS NOT NULL GROUP BY type, cause ORDER BY type, 3 DESC, cause",
	    -1, &s, NULL) != SQLITE_OK) {
		sql_fail(st, err, "causes");
		return NULL;
	}
	sqlite3_bind_int(s, 1, year);
	bind_text(s, 2, type);
	rows = g_array_new(FALSE, TRUE, sizeof(struct store_cause));
	g_array_set_clear_func(rows, cause_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_cause c;

		c.type = dup_column(s, 0);
		c.cause = dup_column(s, 1);
		c.cases = sqlite3_column_int(s, 2);
		g_array_append_val(rows, c);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(rows);
		sql_fail(st, err, "causes");
		return NULL;
	}
	return rows;
}

/*
 * Automatic mail (autoreply.h), by the reason kept in message.automatic:
 * unthreaded, it is in no case, and only these find it again.
 */
gboolean
store_message_set_automatic(struct store *st, int64_t message,
    const char *why, GError **err)
{
	sqlite3_stmt	*s;

	if ((s = stmt(st, S_MESSAGE_AUTOMATIC, err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, message);
	bind_text(s, 2, why);
	return step_done(st, s, err);
}

gboolean
store_automatic_count(struct store *st, int64_t *n, GError **err)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = stmt(st, S_AUTOMATIC_COUNT, err)) == NULL)
		return FALSE;
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sql_fail(st, err, "automatic count");
	return TRUE;
}

void
store_automatic_clear(struct store_automatic *a)
{
	g_free(a->mailbox);
	g_free(a->from_addr);
	g_free(a->subject);
	g_free(a->reason);
	g_free(a->ref);
}

static void
automatic_clear(gpointer p)
{
	store_automatic_clear(p);
}

GArray *
store_automatic_list(struct store *st, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*rows;
	int		 rc;

	if ((s = stmt(st, S_AUTOMATIC_LIST, err)) == NULL)
		return NULL;
	rows = g_array_new(FALSE, TRUE, sizeof(struct store_automatic));
	g_array_set_clear_func(rows, automatic_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_automatic a;

		a.message = sqlite3_column_int64(s, 0);
		a.inbound = sqlite3_column_int64(s, 1);
		a.mailbox = dup_column(s, 2);
		a.received = sqlite3_column_int64(s, 3);
		a.from_addr = dup_column(s, 4);
		a.subject = dup_column(s, 5);
		a.reason = dup_column(s, 6);
		a.ref = dup_column(s, 7);
		g_array_append_val(rows, a);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(rows);
		sql_fail(st, err, "automatic list");
		return NULL;
	}
	return rows;
}

GArray *
store_inbound_new_after(struct store *st, int64_t after, int limit,
    int64_t max_bytes, GError **err)
{
	sqlite3_stmt	*s;
	GArray		*ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t		 bytes = 0, id;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT id, size FROM inbound WHERE "
	    "state = 'new' AND id > ?1 ORDER BY id LIMIT ?2", -1, &s, NULL) !=
	    SQLITE_OK) {
		g_array_unref(ids);
		sql_fail(st, err, "new inbound ids");
		return NULL;
	}
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		bytes += sqlite3_column_int64(s, 1);
		if (ids->len > 0 && bytes > max_bytes)
			break;
		id = sqlite3_column_int64(s, 0);
		g_array_append_val(ids, id);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		g_array_unref(ids);
		ids = NULL;
		sql_fail(st, err, "new inbound ids");
	}
	sqlite3_finalize(s);
	return ids;
}
