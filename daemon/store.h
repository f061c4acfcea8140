/*
 * store.h: the SQLite store.  Knows tables and transactions, not policy:
 * it answers plain questions ("the first event of kind K in case C") and
 * knows no command, no state of a case and no format of a reference;
 * what they mean is for its callers (case.c, timer.c, report.c, purge.c).
 *
 * Opened in WAL mode with synchronous=FULL (our commits gate mail that
 * leaves the building), foreign keys on, and a busy timeout so that the
 * per-mailbox fetch threads, each with its own connection, can share it.
 * The schema is versioned with PRAGMA user_version and an ordered array of
 * migrations; a database newer than the binary is refused.
 *
 * The sections below follow the files that implement them: store.c (the
 * connection), store_inbound.c, store_case.c, store_event.c,
 * store_timer.c, store_outbox.c and store_purge.c.
 */
#ifndef RECOURSD_STORE_H
#define RECOURSD_STORE_H

#include <glib.h>
#include <stdint.h>

/* store.c: the connection, its schema and its transactions. */

struct store;

#define STORE_CREATE	0x01	/* create the file and apply migrations */
#define STORE_READONLY	0x02	/* recoursctl's looking commands */
/*
 * Commits survive a crash of recoursd but not of the machine (WAL with
 * synchronous=NORMAL): for the SMTP sender's results, whose loss can only
 * send a mail twice, never lose one.
 */
#define STORE_LAZY_SYNC	0x04

GQuark		 store_error_quark(void);
#define STORE_ERROR	(store_error_quark())
enum { STORE_ERROR_OPEN, STORE_ERROR_VERSION, STORE_ERROR_SQL,
    STORE_ERROR_TRANSIENT };
/*
 * The error came from the machine (disk full, lock held too long, I/O),
 * not from the data: the same work may succeed later.
 */
gboolean	 store_error_transient(const GError *);

/*
 * Open path.  Without STORE_CREATE a missing file is an error and nothing
 * is written.  Caller closes with store_close().
 */
struct store	*store_open(const char *path, int flags, GError **);
void		 store_close(struct store *);
int		 store_schema_version(struct store *);
int		 store_schema_latest(void);

/* BEGIN IMMEDIATE: writers take the lock up front (no upgrade deadlock). */
gboolean	 store_begin(struct store *, GError **);
gboolean	 store_commit(struct store *, GError **);
void		 store_rollback(struct store *);
/*
 * Inside a transaction: make one message's writes atomic on their own, so
 * that several messages share a commit (and its fsync).  keep FALSE
 * undoes what was written since store_savepoint().
 */
gboolean	 store_savepoint(struct store *, GError **);
gboolean	 store_release(struct store *, gboolean keep, GError **);

/* store_inbound.c: mailbox state, raw messages, IMAP purge. */

/* Mailbox state: UIDVALIDITY and the highest UID safely stored. */
struct store_mailbox {
	uint32_t	 uidvalidity;	/* 0: never selected */
	uint32_t	 last_uid;
	int64_t		 failing_since;	/* 0: healthy */
	gboolean	 alerted;
};
gboolean	 store_mailbox_get(struct store *, const char *,
		    struct store_mailbox *, GError **);
/* A new UIDVALIDITY voids the stored UIDs: last_uid goes back to 0. */
gboolean	 store_mailbox_reset(struct store *, const char *, uint32_t,
		    GError **);
/* When the mailbox started failing (0: it works) and why. */
gboolean	 store_mailbox_health(struct store *, const char *, int64_t,
		    const char *, GError **);

/* The health of every mailbox recoursd has seen. */
struct store_health {
	char			*mailbox;
	struct store_mailbox	 state;
	char			*last_error;
};
GArray		*store_mailbox_all(struct store *, GError **);
gboolean	 store_mailbox_set_alerted(struct store *, const char *,
		    gboolean, GError **);

/* One raw message as fetched (or injected). */
struct store_inbound {
	const char	*mailbox;
	uint32_t	 uidvalidity;	/* 0 for injected messages */
	uint32_t	 uid;		/* 0: allocate (injected) */
	int64_t		 size;
	const char	*sha256;	/* hex digest of the raw bytes */
	const void	*raw;		/* size bytes; NULL: in the spool */
	const char	*message_id;	/* may be NULL */
	const char	*source;	/* "imap" or "inject" */
	int64_t		 now;
};
enum store_added { STORE_ADDED, STORE_ALREADY, STORE_DUPLICATE };
/*
 * Insert the row and raise the mailbox's last_uid, inside the caller's
 * transaction.  STORE_ALREADY: this (mailbox, uidvalidity, uid) is stored;
 * STORE_DUPLICATE: same bytes already stored from this mailbox under
 * another UIDVALIDITY (kept as a 'duplicate' row, never processed).
 */
gboolean	 store_inbound_add(struct store *, const struct store_inbound *,
		    enum store_added *, int64_t *id, GError **);

struct store_inbound_row {
	int64_t		 id;
	char		*mailbox;
	char		*sha256;
	char		*state;
	char		*reason;
	char		*message_id;
	int64_t		 size;
	int64_t		 fetched_at;
	int64_t		 processed_at;	/* 0: not yet */
};
void		 store_inbound_row_clear(struct store_inbound_row *);
/* The oldest row in state 'new'; FALSE with no error when there is none. */
gboolean	 store_inbound_next(struct store *, struct store_inbound_row *,
		    GError **);
gboolean	 store_inbound_get(struct store *, int64_t,
		    struct store_inbound_row *, GError **);
/*
 * The next rows to process: ids of rows in state 'new' above after,
 * oldest first, at most limit of them and, past the first, no more than
 * max_bytes of messages in all (int64_t; g_array_unref()).
 */
GArray		*store_inbound_new_after(struct store *, int64_t after,
		    int limit, int64_t max_bytes, GError **);
/* The raw message kept in the row, or NULL when it is in the spool. */
GBytes		*store_inbound_raw(struct store *, int64_t, GError **);
/*
 * state is "processed", "quarantined" (it cannot be parsed), "failed"
 * (processing it failed; both with reason) or "new".
 */
gboolean	 store_inbound_set_state(struct store *, int64_t, const char *,
		    const char *, int64_t, GError **);
/* Rows in a state, oldest first; caller frees with g_array_unref(). */
GArray		*store_inbound_list(struct store *, const char *state,
		    GError **);
/* Up to limit rows set aside (quarantined, failed) after since. */
GArray		*store_inbound_set_aside(struct store *, int64_t since,
		    int limit, GError **);
gboolean	 store_inbound_count(struct store *, const char *state,
		    int64_t *, GError **);

/* The reference of the case inbound row id joined or opened (NULL: none). */
gboolean	 store_inbound_case(struct store *, int64_t id, char **ref,
		    GError **);

/* Message-IDs whose server copies mailbox must delete; ids get the rows. */
GPtrArray	*store_imap_purge_list(struct store *, const char *mailbox,
		    GArray *ids, GError **);
gboolean	 store_imap_purge_done(struct store *, int64_t, GError **);

/* store_case.c: cases, their messages and attachments. */

/* A case.  Strings are owned when read (store_case_clear()). */
struct store_case {
	int64_t		 id;
	char		*ref;
	char		*type;
	char		*prefix;
	int		 year;
	char		*state;
	char		*mailbox;
	char		*subject;
	char		*complainant_name;
	char		*complainant_addr;
	char		*reply_to;	/* when it differs from From: */
	int64_t		 opened_at;
	int64_t		 linked_to;	/* 0: none */
	char		*missing;	/* labels, one a line; NULL: complete */
	gboolean	 out_of_time;
	char		*lang;		/* "fr", "en": its mails' language */
	int64_t		 purged_at;	/* 0: not purged */
};
/*
 * The next number of prefix in year, inside the caller's transaction (no
 * gap, no duplicate); -1 on error.
 */
int64_t		 store_case_number(struct store *, const char *prefix,
		    int year, GError **);
/*
 * Insert the case numbered seq (store_case_number()) in its prefix and
 * year, with c->ref made by the caller (case_ref()); sets c->id.
 */
gboolean	 store_case_open(struct store *, struct store_case *,
		    int64_t seq, GError **);
/* FALSE with no error when there is none. */
gboolean	 store_case_by_ref(struct store *, const char *,
		    struct store_case *, GError **);
gboolean	 store_case_by_id(struct store *, int64_t, struct store_case *,
		    GError **);
void		 store_case_clear(struct store_case *);
/* Cases by type, state and year (NULL, NULL, 0: all), oldest first. */
GArray		*store_case_list(struct store *, const char *type,
		    const char *state, int year, GError **);
/*
 * closes: the state closes the case, which is then closed at now (what
 * retention counts from); any other state clears that date.
 */
gboolean	 store_case_set_state(struct store *, int64_t,
		    const char *state, gboolean closes, int64_t now, GError **);
gboolean	 store_case_set_missing(struct store *, int64_t,
		    const char *missing, GError **);
gboolean	 store_case_set_out_of_time(struct store *, int64_t,
		    gboolean late, GError **);
gboolean	 store_case_set_type(struct store *, int64_t, const char *,
		    GError **);
/* The case of a stored message with this Message-ID; 0 none, -1 error. */
int64_t		 store_case_by_message_id(struct store *, const char *,
		    GError **);
/* Subjects and bodies of the case's inbound messages; caller frees. */
char		*store_case_texts(struct store *, int64_t, GError **);
/* The complainant's latest Message-ID in the case; caller frees. */
char		*store_case_last_in(struct store *, int64_t, GError **);

/* A message of a case: an inbound row, or an outbox row. */
struct store_mail {
	int64_t		 id;
	char		 sha256[65];	/* inbound: its digest */
	int64_t		 at;
	gboolean	 outgoing;
};
GArray		*store_case_mail(struct store *, int64_t, GError **);

struct store_file {
	char		*name;
	char		 sha256[65];
};
GArray		*store_case_attachments(struct store *, int64_t, GError **);

/* A parsed inbound message and its attachments. */
struct store_message {
	int64_t		 inbound_id;
	const char	*direction;	/* "in" or "out" */
	const char	*message_id;
	const char	*in_reply_to;
	const char	*references;	/* space separated */
	const char	*subject;
	const char	*from_name;
	const char	*from_addr;
	const char	*reply_to;
	const char	*to_addrs;
	const char	*cc_addrs;
	int64_t		 date;		/* 0: none */
	const char	*body;
	const char	*flags;		/* e.g. "tnef-unpack-failed" */
};
gboolean	 store_message_add(struct store *, const struct store_message *,
		    int64_t *id, GError **);
gboolean	 store_attachment_add(struct store *, int64_t message,
		    const char *filename, const char *type, int64_t size,
		    const char *sha256, GError **);
gboolean	 store_message_set_case(struct store *, int64_t message,
		    int64_t case_id, GError **);

/*
 * Automatic mail (autoreply.h): message.automatic holds why, NULL for
 * mail from a person.
 */
gboolean	 store_message_set_automatic(struct store *, int64_t message,
		    const char *why, GError **);
gboolean	 store_automatic_count(struct store *, int64_t *, GError **);
struct store_automatic {
	int64_t		 message;	/* its row */
	int64_t		 inbound;
	char		*mailbox;
	int64_t		 received;	/* fetched */
	char		*from_addr;
	char		*subject;
	char		*reason;
	char		*ref;		/* the case it joined, or NULL */
};
void		 store_automatic_clear(struct store_automatic *);
/* Oldest first; g_array_unref() (each row cleared). */
GArray		*store_automatic_list(struct store *, GError **);

/* store_event.c: the events of the cases, hash-chained. */

/* Append a hash-chained event (case_id 0: not about one case). */
gboolean	 store_event_add(struct store *, int64_t case_id, int64_t at,
		    const char *actor, const char *kind, const char *detail,
		    GError **);

struct store_event {
	int64_t		 id;
	int64_t		 case_id;
	int64_t		 at;
	char		*actor;
	char		*kind;
	char		*detail;
	char		*prev;
	char		*hash;
	char		*sealed;	/* NULL: hashed in the form before 6 */
};
/* The events of a case, oldest first; g_array_unref. */
GArray		*store_case_events(struct store *, int64_t, GError **);
/* When the case first got an event of kind: 0 never, -1 on error. */
int64_t		 store_event_first(struct store *, int64_t case_id,
		    const char *kind, GError **);
/* "A:D", the SHA-256 of actor and of detail (NULL as ""); caller frees. */
char		*store_event_seal(const char *actor, const char *detail);
/* SHA-256 over the previous hash, case, time, kind and seal; caller frees. */
char		*store_event_hash(const char *prev, int64_t case_id, int64_t at,
		    const char *kind, const char *sealed);
/*
 * Walk the chain: 0 when intact (count events checked, erased of them
 * erased by a purge of their case), else the id of the first event that
 * is altered, erased without a purge, or does not follow its
 * predecessor, with why; -1 on a store error.
 */
int64_t		 store_verify_events(struct store *, int64_t *count,
		    int64_t *erased, char **why, GError **);

/* Cases of a year per type and the detail of their last event of a kind. */
struct store_cause {
	char		*type;
	char		*cause;		/* that detail */
	int		 cases;
};
/* Most frequent first within each type; g_array_unref. */
GArray		*store_cause_counts(struct store *, int year, const char *type,
		    const char *kind, GError **);

/* store_timer.c: the timers of the deadlines. */

/* A deadline's timer ('due') or its reminder ('remind'). */
struct store_timer {
	int64_t		 id;
	int64_t		 case_id;
	char		*deadline;
	char		*kind;
	int64_t		 due_at;
	char		*state;		/* pending, met, missed, sent,
					   cancelled, failed */
	int64_t		 fired_at;
	int		 attempts;	/* failed tries to fire it */
};
/* Once per (case, deadline, kind): scheduling again re-arms it. */
gboolean	 store_timer_add(struct store *, int64_t case_id,
		    const char *deadline, const char *kind, int64_t due_at,
		    GError **);
GArray		*store_timers_due(struct store *, int64_t now, int limit,
		    GError **);
GArray		*store_case_timers(struct store *, int64_t, GError **);
/* Only a pending timer changes: *changed FALSE means it already fired. */
gboolean	 store_timer_set(struct store *, int64_t, const char *state,
		    int64_t fired_at, gboolean *changed, GError **);
/* A pending timer that could not fire: tried again at retry_at. */
gboolean	 store_timer_retry(struct store *, int64_t, int64_t retry_at,
		    const char *reason, GError **);
/* A pending timer that could not fire, given up: state 'failed'. */
gboolean	 store_timer_fail(struct store *, int64_t, int64_t now,
		    const char *reason, GError **);
/* The earliest pending due_at; 0 when none. */
int64_t		 store_timer_next(struct store *);
/*
 * Closing a case cancels what is still pending, but the timers whose
 * deadline starts with except (NULL: none).
 */
gboolean	 store_timers_cancel(struct store *, int64_t case_id,
		    const char *except, int64_t now, GError **);
/* The pending timers of one deadline of a case (due and reminder). */
gboolean	 store_timer_cancel_deadline(struct store *, int64_t case_id,
		    const char *deadline, int64_t now, gboolean *changed,
		    GError **);

/* store_outbox.c: the letters, one row per recipient. */

/* One outgoing message to one recipient. */
struct store_outbox {
	int64_t		 id;
	const char	*kind;		/* "ack", "alert", ... */
	int64_t		 case_id;	/* 0: none */
	const char	*mail_from;	/* envelope sender */
	const char	*rcpt;
	const char	*message_id;
	GBytes		*data;		/* the exact bytes (CRLF) */
	const char	*state;		/* intent, pending, sending, sent,
					   failed */
	int		 attempts;
	int64_t		 queued_at;
	int64_t		 next_at;
	int64_t		 sent_at;
	const char	*reply;		/* the server's last reply */
	const char	*letter;	/* state 'intent': what to compose */
};
/*
 * Inside the caller's transaction, with the event that caused it.  Without
 * data, the row is an intent (state 'intent', letter set) that the
 * compose stage builds.
 */
gboolean	 store_outbox_add(struct store *, const struct store_outbox *,
		    int64_t *id, GError **);
/* Pending rows due at now; rows own their strings (g_array_unref). */
GArray		*store_outbox_due(struct store *, int64_t now, int limit,
		    GError **);
/* Every row (without data), or those in state; g_array_unref. */
GArray		*store_outbox_list(struct store *, const char *state,
		    GError **);
gboolean	 store_outbox_result(struct store *,
		    const struct store_outbox *, GError **);
/*
 * Letters not yet composed (state 'intent', with letter), oldest first;
 * g_array_unref.
 */
GArray		*store_outbox_intents(struct store *, int limit, GError **);
/* The intent composed: its bytes, and it is due from now. */
gboolean	 store_outbox_composed(struct store *, int64_t, GBytes *,
		    int64_t now, GError **);
/* The intent cannot be composed: failed with why, to be reported. */
gboolean	 store_outbox_uncomposable(struct store *, int64_t,
		    const char *why, GError **);
/*
 * A pending row handed to the mail server now ('sending'), inside the
 * caller's transaction, committed before the first byte is sent.
 */
gboolean	 store_outbox_claim(struct store *, int64_t, GError **);
/*
 * Rows left 'sending' (recoursd stopped before their reply was recorded)
 * are failed with reply (why they are in doubt), to be reported, never
 * sent again by themselves; how many, or -1.
 */
int		 store_outbox_in_doubt(struct store *, const char *reply,
		    GError **);
/* When a row of kind was last queued; 0: never. */
int64_t		 store_outbox_last(struct store *, const char *kind);
/* The earliest next_at of a pending row; 0 when none. */
int64_t		 store_outbox_next_at(struct store *);
/* Letters not yet sent (intent, pending) and when the oldest was queued. */
gboolean	 store_outbox_backlog(struct store *, int64_t *n,
		    int64_t *oldest, GError **);
/* Failed rows not yet reported, with their case_id; g_array_unref. */
GArray		*store_outbox_unreported(struct store *, GError **);
gboolean	 store_outbox_set_reported(struct store *, int64_t, GError **);
/* A failed row back to pending, due now (and to report again). */
gboolean	 store_outbox_retry(struct store *, int64_t, int64_t now,
		    GError **);
/* Rows of kind to rcpt queued since; -1 on error. */
int64_t		 store_outbox_recent(struct store *, const char *rcpt,
		    const char *kind, int64_t since, GError **);
/*
 * The row that sent msgid: o->case_id, and o->rcpt and o->kind owned by
 * the caller (g_free).  FALSE when none.
 */
gboolean	 store_outbox_by_message_id(struct store *, const char *,
		    struct store_outbox *, GError **);
/* The exact bytes an outbox row holds; caller unrefs. */
GBytes		*store_outbox_data(struct store *, int64_t, GError **);
/* When a letter of kind in the case was first sent: 0 never, -1 error. */
int64_t		 store_outbox_first_sent(struct store *, int64_t case_id,
		    const char *kind, GError **);

/*
 * store_purge.c: retention (recoursctl purge).  Every function runs inside
 * the caller's transaction, so a dry run is the same work rolled back.
 */
struct store_purged {
	int64_t		 messages;	/* inbound messages erased */
	int64_t		 attachments;
	int64_t		 letters;	/* outbox rows erased */
	int64_t		 events;	/* events of purged cases */
	int64_t		 imap_copies;	/* queued for deletion on the server */
};
/* A closed case not yet purged. */
struct store_due {
	int64_t		 id;
	char		*type;
};
/* Those closed before then, of type (NULL: any); g_array_unref. */
GArray		*store_purge_due(struct store *, int64_t closed_before,
		    const char *type, GError **);
/* What a purge keeps of a case's events (purge.c says). */
struct store_keep {
	const char		*actor;		/* this actor's name */
	const char *const	*details;	/* the detail of these kinds
						   (NULL-terminated) */
};
/*
 * Erase a case's personal data: its messages' bytes and headers (or the
 * message rows, with delete), its attachments, the letters' bytes and
 * recipients, the actors and details of its events but those keep names;
 * the counts and dates stay.  Adds to p.
 */
gboolean	 store_purge_case(struct store *, int64_t case_id,
		    gboolean delete, const struct store_keep *, int64_t now,
		    struct store_purged *, GError **);
/* The same for messages in no case (quarantined, bounces...) and mail
 * about no case, received or queued before then. */
gboolean	 store_purge_unlinked(struct store *, int64_t before,
		    gboolean delete, int64_t now, struct store_purged *,
		    GError **);
/* 1 when a row not purged still names that file, 0 not, -1 error. */
int		 store_digest_in_use(struct store *, const char *sha256,
		    gboolean attachment, GError **);

/*
 * Channels (migration 8): how a case came ("email", "courrier",
 * "telephone"...) and the postal address letters on paper go to (lines
 * separated by '\n'; NULL: none).  FALSE with no error: no such case.
 * Caller frees both.
 */
gboolean	 store_case_channel(struct store *, int64_t, char **channel,
		    char **address, GError **);
/* NULL leaves a field as it is; opened_at 0 too. */
gboolean	 store_case_set_channel(struct store *, int64_t,
		    const char *channel, const char *address, int64_t opened_at,
		    GError **);
gboolean	 store_case_set_complainant(struct store *, int64_t,
		    const char *name, const char *addr, GError **);

/* A letter on paper: its PDF is an attachment of message. */
struct store_post {
	int64_t		 id;
	int64_t		 case_id;
	int64_t		 message;	/* the outgoing message row */
	char		*letter;	/* "ack", "decision"... */
	char		*recipient;	/* name and address, one line each */
	gboolean	 registered;	/* recommandé avec AR */
	int64_t		 created_at;
	int64_t		 posted_at;	/* 0: not yet posted */
	char		*tracking;	/* registered: its number */
	int64_t		 receipt_at;	/* the date on the returned receipt */
	int64_t		 returned_at;	/* returned unclaimed */
};
void		 store_post_clear(struct store_post *);
gboolean	 store_post_add(struct store *, const struct store_post *,
		    int64_t *id, GError **);
/* The case's letters (0: every case's), oldest first; g_array_unref. */
GArray		*store_post_list(struct store *, int64_t case_id, GError **);
/* When a letter of the case was first posted; 0 never, -1 on error. */
int64_t		 store_post_first_posted(struct store *, int64_t case_id,
		    const char *letter, GError **);
/* Write back registered, posted_at, tracking, receipt_at, returned_at. */
gboolean	 store_post_set(struct store *, const struct store_post *,
		    GError **);
/* recoursctl open wrote inbound row id, for actor (who ran it). */
gboolean	 store_opening_add(struct store *, int64_t inbound_id,
		    const char *actor, int64_t at, GError **);
/* Who, or NULL (none, or an error then set); caller frees. */
char		*store_opening_actor(struct store *, int64_t inbound_id,
		    GError **);

/* The detail of the case's last event of kind; NULL: none; caller frees. */
char		*store_case_last_detail(struct store *, int64_t case_id,
		    const char *kind, GError **);

struct store_count {
	char		*name;
	int64_t		 n;
};
/*
 * Cases per channel (year 0, type NULL: all), but those of except_type
 * (NULL: none).
 */
GArray		*store_channel_counts(struct store *, int year,
		    const char *type, const char *except_type, GError **);

#endif
