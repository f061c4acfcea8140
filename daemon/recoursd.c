/*
 * recoursd.c: the daemon's main.  Options, configuration, the GLib main
 * loop, signals (HUP reloads, TERM and INT drain and exit) and the
 * service manager (sd_notify READY/RELOADING/STOPPING/WATCHDOG).  It
 * wires the parts together; no policy lives here.
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <gmime/gmime.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "conf.h"
#include "control.h"
#include "control_proto.h"
#include "health.h"
#include "ingest.h"
#include "log.h"
#include "outbox.h"
#include "smtp.h"
#include "spool.h"
#include "store.h"
#include "timer.h"
#include "undelivered.h"

#define HEALTH_EVERY	5	/* seconds between looks at mailbox health */
#define TIMER_STORE_RETRY 30	/* seconds: timers again after a store error */

struct daemon {
	GMainLoop		*loop;
	struct setup		*setup;		/* conf, rules, calendar */
	struct store		*store;		/* the main thread's */
	struct ingest		*ingest;
	struct smtp_sender	*sender;
	struct control		*control;
	const char		*conf_path;
	guint			 timer_source;	/* the next deadline */
	int64_t			 started;
};

/* One request of the control socket (recoursctl). */
struct control_cmd {
	const char	*verb;
	gboolean	 takes_arg;
	char		*(*run)(struct daemon *, const char *, gboolean *);
};

static void	 usage(FILE *, int) __attribute__((noreturn));
static gboolean	 on_stop(gpointer);
static gboolean	 on_reload(gpointer);
static gboolean	 reload(struct daemon *, GError **);
static char	*on_control(const char *, gboolean *, void *);
static char	*ctl_inject(struct daemon *, const char *, gboolean *);
static char	*ctl_status(struct daemon *, const char *, gboolean *);
static char	*ctl_reload(struct daemon *, const char *, gboolean *);
static char	*ctl_wake(struct daemon *, const char *, gboolean *);
static gboolean	 on_watchdog(gpointer);
static gboolean	 on_health(gpointer);
static void	 start(struct daemon *);
static void	 arm_timers(struct daemon *);
static gboolean	 on_timers(gpointer);
static gboolean	 on_usr1(gpointer);
static void	 on_queued(void *);
static void	 send_queued(struct daemon *);
static void	 start_watchdog(void);

/* -h asks for it (stdout, 0); a bad option gets it on stderr. */
static void
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: recoursd [-dhnv] [-f file]\n"
	    "  -d       stay in the foreground and log to stderr\n"
	    "  -f file  configuration file (default %s)\n"
	    "  -h       print this help and exit\n"
	    "  -n       check the configuration and rules, then exit\n"
	    "  -v       verbose logging\n", RECOURSD_CONF);
	exit(status);
}

static gboolean
on_stop(gpointer data)
{
	struct daemon	*d = data;

	sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
	log_info("stopping");
	g_main_loop_quit(d->loop);
	return G_SOURCE_CONTINUE;
}

/* SIGHUP, or recoursctl reload. */
static gboolean
on_reload(gpointer data)
{
	struct daemon	*d = data;
	GError		*err = NULL;

	if (!reload(d, &err)) {
		log_warnx("reload: %s", err->message);
		g_error_free(err);
	}
	return G_SOURCE_CONTINUE;
}

/*
 * Load and check the new configuration first; keep the running one when
 * the new one has errors.
 */
static gboolean
reload(struct daemon *d, GError **err)
{
	struct setup	*n;
	GString		*errors = g_string_new(NULL);
	gboolean	 ok = FALSE;

	sd_notify(0, "RELOADING=1\nSTATUS=Reloading");
	n = check_load(d->conf_path, errors);
	if (n == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: "
		    "errors, keeping the running configuration:\n%s",
		    d->conf_path, errors->str);
	} else if (strcmp(n->conf->database, d->setup->conf->database) != 0 ||
	    strcmp(n->conf->spool, d->setup->conf->spool) != 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: "
		    "database and spool are read at start-up only; restart "
		    "recoursd to move them", d->conf_path);
		setup_free(n);
	} else if (!ingest_reload(d->ingest, n)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot "
		    "apply it, keeping the running configuration",
		    d->conf_path);
		ingest_reload(d->ingest, d->setup);
		setup_free(n);
	} else {
		GError	*e = NULL;

		smtp_sender_stop(d->sender);
		if ((d->sender = smtp_sender_start(n->conf, &e)) == NULL &&
		    n->conf->has_smtp) {
			log_warnx("reload: %s", e->message);
			g_error_free(e);
		}
		g_clear_error(&e);
		setup_free(d->setup);
		d->setup = n;
		arm_timers(d);
		log_info("reloaded %s", d->conf_path);
		ok = TRUE;
	}
	g_string_free(errors, TRUE);
	sd_notify(0, "READY=1\nSTATUS=Running");
	return ok;
}

static gboolean
on_watchdog(gpointer data)
{
	(void)data;
	sd_notify(0, "WATCHDOG=1");
	return G_SOURCE_CONTINUE;
}

/*
 * Every few seconds: mailbox health (alerts for the administrator) and
 * mail refused by the MTA; then send what that queued.
 */
static gboolean
on_health(gpointer data)
{
	struct daemon	*d = data;
	GError		*err = NULL;
	int		 n;

	n = health_check(d->store, d->setup->conf, clock_now(),
	    &err);
	if (n < 0) {
		log_warnx("health: %s", err->message);
		g_clear_error(&err);
	}
	if (health_set_aside(d->store, d->setup->conf, clock_now(), &err) < 0) {
		log_warnx("health: %s", err->message);
		g_clear_error(&err);
	}
	/* Messages left 'new' by a store error (disk full, a lock). */
	if (ingest_retry(d->ingest) > 0)
		on_queued(d);
	/* Letters queued by recoursctl, or left by a store error. */
	if ((n = outbox_compose(d->store, clock_now(), &err)) < 0) {
		log_warnx("outbox: %s", err->message);
		g_clear_error(&err);
	} else if (n > 0)
		smtp_sender_kick(d->sender);
	/* Mail the MTA refused: its case and staff are told. */
	if ((n = undelivered_report(d->store, d->setup, clock_now(),
	    &err)) < 0) {
		log_warnx("undelivered: %s", err->message);
		g_error_free(err);
	} else if (n > 0)
		send_queued(d);
	return G_SOURCE_CONTINUE;
}

/*
 * Compose the letters decided since (each apart: one that cannot be
 * built fails alone), then let the sender look at the outbox.
 */
static void
send_queued(struct daemon *d)
{
	GError	*err = NULL;

	if (outbox_compose(d->store, clock_now(), &err) < 0) {
		log_warnx("outbox: %s", err->message);
		g_error_free(err);
	}
	smtp_sender_kick(d->sender);
}

/* Processing queued mail: the sender looks at the outbox now. */
static void
on_queued(void *data)
{
	struct daemon	*d = data;

	send_queued(d);
	arm_timers(d);		/* new cases bring new deadlines */
}

/*
 * Sleep until the earliest timer: no polling.  At most an hour at a time,
 * so that a clock set forward by the administrator is noticed.
 */
static void
arm_timers(struct daemon *d)
{
	int64_t	 next = timer_next(d->store), wait;

	if (d->timer_source != 0)
		g_source_remove(d->timer_source);
	d->timer_source = 0;
	if (next == 0)
		return;
	wait = next - clock_now();
	d->timer_source = wait <= 0 ? g_idle_add(on_timers, d) :
	    g_timeout_add_seconds((guint)MIN(wait, 3600), on_timers, d);
}

static gboolean
on_timers(gpointer data)
{
	struct daemon	*d = data;
	GError		*err = NULL;
	gboolean	 queued;

	d->timer_source = 0;
	if (timer_fire(d->store, d->setup, clock_now(), &queued, &err) < 0) {
		/* The store fails (disk, lock): look again in a while. */
		log_warnx("timer: %s; trying again in %d s", err->message,
		    TIMER_STORE_RETRY);
		g_error_free(err);
		d->timer_source = g_timeout_add_seconds(TIMER_STORE_RETRY,
		    on_timers, d);
		return G_SOURCE_REMOVE;
	}
	if (queued)
		on_queued(d);
	else
		arm_timers(d);
	return G_SOURCE_REMOVE;
}

/*
 * SIGUSR1: look at the timers now (after the clock was moved), at the
 * messages waiting (injected), and at the outbox.
 */
static gboolean
on_usr1(gpointer data)
{
	struct daemon	*d = data;

	ingest_retry(d->ingest);

	if (d->timer_source != 0)
		g_source_remove(d->timer_source);
	d->timer_source = g_idle_add(on_timers, d);
	send_queued(d);
	return G_SOURCE_CONTINUE;
}

static const struct control_cmd control_cmds[] = {
	{ "inject", TRUE, ctl_inject },
	{ "status", FALSE, ctl_status },
	{ "reload", FALSE, ctl_reload },
	{ "wake", FALSE, ctl_wake },
};

/* "verb" or "verb argument", from the control socket. */
static char *
on_control(const char *request, gboolean *ok, void *data)
{
	const char	*sp = strchr(request, ' ');
	size_t		 len = sp != NULL ? (size_t)(sp - request) :
			    strlen(request);
	size_t		 i;

	*ok = FALSE;
	for (i = 0; i < G_N_ELEMENTS(control_cmds); i++) {
		const struct control_cmd *c = &control_cmds[i];

		if (strlen(c->verb) != len || strncmp(c->verb, request, len) != 0)
			continue;
		if ((sp != NULL) != c->takes_arg)
			return g_strdup_printf("%s: %s", c->verb, c->takes_arg ?
			    "needs an argument" : "takes no argument");
		return c->run(data, sp != NULL ? sp + 1 : NULL, ok);
	}
	return g_strdup("unknown request");
}

/*
 * recoursctl inject has stored the row durably: process what is new now,
 * send what that queued, and say what became of the row.
 */
static char *
ctl_inject(struct daemon *d, const char *arg, gboolean *ok)
{
	struct store_inbound_row r;
	GError	*err = NULL;
	char	*end, *ref = NULL, *text;
	int64_t	 id = g_ascii_strtoll(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || id <= 0)
		return g_strdup("inject: not a message id");
	ingest_retry(d->ingest);
	on_queued(d);
	if (!store_inbound_get(d->store, id, &r, &err) ||
	    !store_inbound_case(d->store, id, &ref, &err)) {
		text = g_strdup_printf("inject: %s", err != NULL ? err->message :
		    "no such inbound message");
		g_clear_error(&err);
		store_inbound_row_clear(&r);
		return text;
	}
	*ok = TRUE;
	text = g_strdup_printf("%s\t%s\t%s", r.state, ref != NULL ? ref : "",
	    r.reason != NULL ? r.reason : "");
	g_strdelimit(text + strlen(r.state) + 1, "\n", ' ');
	store_inbound_row_clear(&r);
	g_free(ref);
	return text;
}

/*
 * What only the daemon knows: since when it runs, and each mailbox's
 * connection.  One line per fact, fields separated by tabs.
 */
static char *
ctl_status(struct daemon *d, const char *arg, gboolean *ok)
{
	GString		*s = g_string_new(NULL);
	struct imap_status st;
	const char	*name;
	guint		 i;

	(void)arg;
	g_string_append_printf(s, "daemon\t%ld\t%" G_GINT64_FORMAT "\n",
	    (long)getpid(), d->started);
	for (i = 0; ingest_mailbox_status(d->ingest, i, &name, &st); i++) {
		if (st.last_error != NULL)
			g_strdelimit(st.last_error, "\t\r\n", ' ');
		g_string_append_printf(s, "mailbox\t%s\t%s\t%s\t%"
		    G_GINT64_FORMAT "\t%s\n", name, st.connected ? "connected" :
		    "disconnected", st.idle ? "idle" : "polling", st.last_fetch,
		    st.last_error != NULL ? st.last_error : "");
		g_free(st.last_error);
	}
	*ok = TRUE;
	return g_string_free(s, FALSE);
}

static char *
ctl_reload(struct daemon *d, const char *arg, gboolean *ok)
{
	GError	*err = NULL;
	char	*text;

	(void)arg;
	if ((*ok = reload(d, &err)))
		return g_strdup_printf("reloaded %s", d->conf_path);
	text = g_strdup(err->message);
	g_error_free(err);
	return text;
}

static char *
ctl_wake(struct daemon *d, const char *arg, gboolean *ok)
{
	(void)arg;
	on_usr1(d);
	*ok = TRUE;
	return g_strdup("looking at the timers");
}

/* Open what the daemon runs on; any failure here is fatal. */
static void
start(struct daemon *d)
{
	GError	*err = NULL;
	char	*path;

	if (!spool_init(d->setup->conf->spool, &err) ||
	    (d->store = store_open(d->setup->conf->database, STORE_CREATE, &err)) ==
	    NULL)
		fatalx("%s", err->message);
	if (d->setup->conf->has_smtp &&
	    (d->sender = smtp_sender_start(d->setup->conf, &err)) == NULL)
		fatalx("%s", err->message);
	if ((d->ingest = ingest_start(d->setup, d->store, on_queued, d,
	    &err)) == NULL)
		fatalx("%s", err->message);
	path = control_socket_path(d->setup->conf->database);
	d->control = control_start(path, d->setup->conf->control_group,
	    on_control, d, &err);
	g_free(path);
	if (d->control == NULL)
		fatalx("%s", err->message);
	d->started = clock_now();
	g_timeout_add_seconds(HEALTH_EVERY, on_health, d);
	arm_timers(d);
	if (clock_simulated())
		log_info("the clock is simulated (RECOURSD_CLOCK_FILE)");
}

/* Ping at half the interval the service manager asked for. */
static void
start_watchdog(void)
{
	uint64_t	 usec;

	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
		g_timeout_add((guint)(usec / 2000), on_watchdog, NULL);
}

/*
 * GLib before 2.76 takes every GObject from its slice allocator, whose
 * per-thread magazines cost ingest about a fifth of its time once one
 * thread parses messages and another frees them (tests/bench/ingest.sh).
 * The allocator reads G_SLICE before main() runs: start again, once, with
 * plain malloc, as later GLibs always use.  Should exec fail, the daemon
 * runs on, only slower.
 */
static void
plain_malloc(char *argv[])
{
	char	*self;

	if (glib_check_version(2, 76, 0) == NULL || getenv("G_SLICE") != NULL)
		return;
	/* Its own path, not /proc/self/exe: ps would show "exe". */
	if ((self = g_file_read_link("/proc/self/exe", NULL)) == NULL)
		return;
	if (setenv("G_SLICE", "always-malloc", 1) == 0)
		execv(self, argv);
	g_free(self);
}

int
main(int argc, char *argv[])
{
	struct daemon	 d;
	GString		*errors;
	int		 ch, foreground = 0, check_only = 0, verbose = 0;

	plain_malloc(argv);
	memset(&d, 0, sizeof(d));
	d.conf_path = RECOURSD_CONF;
	while ((ch = getopt(argc, argv, "df:hnv")) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'f':
			d.conf_path = optarg;
			break;
		case 'h':
			usage(stdout, 0);
		case 'n':
			check_only = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc)
		usage(stderr, 2);

	log_init("recoursd", foreground || check_only, verbose);
	g_mime_init();
	errors = g_string_new(NULL);
	d.setup = check_load(d.conf_path, errors);
	if (d.setup == NULL) {
		fputs(errors->str, stderr);
		return 1;
	}
	g_string_free(errors, TRUE);
	if (check_only) {
		printf("%s: configuration and rules OK, %u case type(s)\n",
		    d.conf_path, d.setup->rules->types->len);
		setup_free(d.setup);
		return 0;
	}
	if (!foreground)
		log_init("recoursd", 0, verbose);
	/* Nothing of ours writes to stdout; libytnef prints there. */
	if (freopen("/dev/null", "w", stdout) == NULL)
		fatal("/dev/null");

	d.loop = g_main_loop_new(NULL, FALSE);
	start(&d);
	g_unix_signal_add(SIGTERM, on_stop, &d);
	g_unix_signal_add(SIGINT, on_stop, &d);
	g_unix_signal_add(SIGHUP, on_reload, &d);
	g_unix_signal_add(SIGUSR1, on_usr1, &d);
	signal(SIGPIPE, SIG_IGN);
	start_watchdog();
	log_info("started, %u mailbox(es), database %s",
	    d.setup->conf->mailboxes->len, d.setup->conf->database);
	sd_notify(0, "READY=1\nSTATUS=Running");
	g_main_loop_run(d.loop);

	control_stop(d.control);
	ingest_stop(d.ingest);
	smtp_sender_stop(d.sender);
	store_close(d.store);
	g_main_loop_unref(d.loop);
	setup_free(d.setup);
	g_mime_shutdown();
	log_info("stopped");
	return 0;
}
