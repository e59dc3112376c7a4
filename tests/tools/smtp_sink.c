/*
 * smtp_sink - a tiny SMTP server on 127.0.0.1 for the email notifier's
 * tests. One session at a time; EHLO/HELO, AUTH PLAIN and AUTH LOGIN
 * (checked against --user/--password-file), MAIL, RCPT, DATA (dot-stuffing
 * undone), RSET, NOOP, QUIT. Each accepted message is written to
 * DIR/msg-N.eml (N from 1) behind X-Envelope-From/X-Envelope-To lines.
 * --fail-transient K / --fail-permanent K answer the end of DATA of the
 * next K messages with 451 / 550 instead (transient ones first); --stall
 * accepts connections and never answers (for timeouts). No
 * STARTTLS: the tests run the plugin with `starttls = off` on loopback,
 * which is the only place the plugin allows it. Never for production use.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4096
#define MAX_RCPT 100

struct sink {
	const char *dir;
	const char *user;
	char *password;
	int auth_plain, auth_login;
	long fail_transient, fail_permanent;
	int stall;
	int count;                     /* messages written */
};

struct session {
	int fd;
	char buf[LINE_MAX_BYTES];
	size_t len;
	int authed;
	char *from;
	char *rcpt[MAX_RCPT];
	int nrcpt;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: smtp_sink --dir DIR [--port N] [--user U --password-file F]\n"
		"                 [--auth plain|login|both] [--fail-transient K] [--fail-permanent K]\n"
		"                 [--stall]\n"
		"Prints 'smtp_sink ready port=N' when listening on 127.0.0.1.\n");
}

static int send_str(struct session *s, const char *text)
{
	size_t n = strlen(text);

	while (n) {
		ssize_t w = write(s->fd, text, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		text += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One line without its CRLF (or LF) into out; -1 at end of connection. */
static int read_line(struct session *s, char *out, size_t size)
{
	for (;;) {
		char *nl = memchr(s->buf, '\n', s->len);
		ssize_t r;

		if (nl) {
			size_t n = (size_t)(nl - s->buf);
			size_t keep = n;

			if (keep && s->buf[keep - 1] == '\r')
				keep--;
			if (keep >= size)
				keep = size - 1;
			memcpy(out, s->buf, keep);
			out[keep] = '\0';
			memmove(s->buf, nl + 1, s->len - n - 1);
			s->len -= n + 1;
			return 0;
		}
		if (s->len == sizeof(s->buf))
			s->len = 0; /* an overlong line: drop it */
		r = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		s->len += (size_t)r;
	}
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode base64 into out (NUL-terminated too); returns the length or -1. */
static long b64_decode(const char *in, char *out, size_t size)
{
	unsigned acc = 0;
	int bits = 0;
	size_t n = 0;

	for (; *in && *in != '='; in++) {
		int v = b64_value(*in);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= size)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	return (long)n;
}

static void reset(struct session *s)
{
	free(s->from);
	s->from = NULL;
	for (int i = 0; i < s->nrcpt; i++)
		free(s->rcpt[i]);
	s->nrcpt = 0;
}

static int check_login(struct sink *k, const char *user, const char *pass)
{
	return k->user && strcmp(user, k->user) == 0 && strcmp(pass, k->password) == 0;
}

static void do_auth(struct sink *k, struct session *s, char *arg)
{
	char line[LINE_MAX_BYTES], dec[LINE_MAX_BYTES], user[LINE_MAX_BYTES];
	char *mech = arg, *initial = strchr(arg, ' ');
	long n;

	if (initial)
		*initial++ = '\0';
	if (!k->user) {
		send_str(s, "503 5.5.1 AUTH not offered\r\n");
		return;
	}
	if (strcasecmp(mech, "PLAIN") == 0 && k->auth_plain) {
		/* RFC 4616: authzid NUL authcid NUL passwd */
		const char *authc, *pass;

		if (!initial) {
			send_str(s, "334 \r\n");
			if (read_line(s, line, sizeof(line)))
				return;
			initial = line;
		}
		n = b64_decode(initial, dec, sizeof(dec));
		authc = n > 0 ? memchr(dec, '\0', (size_t)n) : NULL;
		pass = authc ? memchr(authc + 1, '\0', (size_t)(dec + n - authc - 1)) : NULL;
		if (!authc || !pass) {
			send_str(s, "501 5.5.2 malformed AUTH PLAIN\r\n");
			return;
		}
		s->authed = check_login(k, authc + 1, pass + 1);
	} else if (strcasecmp(mech, "LOGIN") == 0 && k->auth_login) {
		if (!initial) {
			send_str(s, "334 VXNlcm5hbWU6\r\n"); /* "Username:" */
			if (read_line(s, line, sizeof(line)))
				return;
			initial = line;
		}
		if (b64_decode(initial, user, sizeof(user)) < 0) {
			send_str(s, "501 5.5.2 malformed AUTH LOGIN\r\n");
			return;
		}
		send_str(s, "334 UGFzc3dvcmQ6\r\n"); /* "Password:" */
		if (read_line(s, line, sizeof(line)))
			return;
		if (b64_decode(line, dec, sizeof(dec)) < 0) {
			send_str(s, "501 5.5.2 malformed AUTH LOGIN\r\n");
			return;
		}
		s->authed = check_login(k, user, dec);
	} else {
		send_str(s, "504 5.5.4 mechanism not supported\r\n");
		return;
	}
	send_str(s, s->authed ? "235 2.7.0 Authentication successful\r\n"
			      : "535 5.7.8 Authentication credentials invalid\r\n");
}

/* "FROM:<a@b> SIZE=1" -> "a@b" (malloc'd), or NULL. */
static char *path_arg(const char *arg, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *lt, *gt;

	if (strncasecmp(arg, prefix, n) != 0)
		return NULL;
	lt = strchr(arg + n, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (!gt)
		return NULL;
	return strndup(lt + 1, (size_t)(gt - lt - 1));
}

static int write_message(struct sink *k, struct session *s, const char *data, size_t len)
{
	char path[4096], tmp[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/msg-%d.eml", k->dir, k->count + 1);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f)
		return -1;
	fprintf(f, "X-Envelope-From: <%s>\r\n", s->from);
	for (int i = 0; i < s->nrcpt; i++)
		fprintf(f, "X-Envelope-To: <%s>\r\n", s->rcpt[i]);
	fwrite(data, 1, len, f);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -1;
	k->count++;
	return 0;
}

static void do_data(struct sink *k, struct session *s)
{
	char line[LINE_MAX_BYTES], reply[128];
	char *data = NULL;
	size_t len = 0;

	send_str(s, "354 End data with <CR><LF>.<CR><LF>\r\n");
	for (;;) {
		const char *p = line;
		size_t n;
		char *d;

		if (read_line(s, line, sizeof(line)))
			goto out;
		if (strcmp(line, ".") == 0)
			break;
		if (line[0] == '.')
			p++; /* RFC 5321 4.5.2: undo dot-stuffing */
		n = strlen(p);
		d = realloc(data, len + n + 3);
		if (!d)
			goto out;
		data = d;
		memcpy(data + len, p, n);
		memcpy(data + len + n, "\r\n", 2);
		len += n + 2;
	}
	if (k->fail_transient > 0) {
		k->fail_transient--;
		send_str(s, "451 4.3.0 Temporary failure, try again later\r\n");
	} else if (k->fail_permanent > 0) {
		k->fail_permanent--;
		send_str(s, "550 5.7.1 Message rejected by policy\r\n");
	} else if (write_message(k, s, data ? data : "", len) == 0) {
		snprintf(reply, sizeof(reply), "250 2.0.0 Ok: queued as %d\r\n", k->count);
		send_str(s, reply);
	} else {
		send_str(s, "452 4.3.1 Cannot store the message\r\n");
	}
out:
	free(data);
	reset(s);
}

static void serve(struct sink *k, int fd)
{
	struct session s;
	char line[LINE_MAX_BYTES];

	memset(&s, 0, sizeof(s));
	s.fd = fd;
	if (k->stall) {
		/* say nothing until the client gives up */
		while (read(fd, line, sizeof(line)) > 0)
			;
		close(fd);
		return;
	}
	send_str(&s, "220 smtp_sink ESMTP ready\r\n");
	while (read_line(&s, line, sizeof(line)) == 0) {
		char *arg = strchr(line, ' ');

		if (arg)
			*arg++ = '\0';
		else
			arg = line + strlen(line);
		if (strcasecmp(line, "EHLO") == 0) {
			char ext[128] = "";

			reset(&s);
			if (k->user)
				snprintf(ext, sizeof(ext), "250-AUTH%s%s\r\n", k->auth_plain ? " PLAIN" : "",
					 k->auth_login ? " LOGIN" : "");
			send_str(&s, "250-smtp_sink\r\n250-8BITMIME\r\n");
			send_str(&s, ext);
			send_str(&s, "250 SIZE 10485760\r\n");
		} else if (strcasecmp(line, "HELO") == 0) {
			reset(&s);
			send_str(&s, "250 smtp_sink\r\n");
		} else if (strcasecmp(line, "AUTH") == 0) {
			do_auth(k, &s, arg);
		} else if (strcasecmp(line, "MAIL") == 0) {
			char *from = path_arg(arg, "FROM:");

			if (k->user && !s.authed) {
				free(from);
				send_str(&s, "530 5.7.0 Authentication required\r\n");
			} else if (!from) {
				send_str(&s, "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
			} else {
				reset(&s);
				s.from = from;
				send_str(&s, "250 2.1.0 Ok\r\n");
			}
		} else if (strcasecmp(line, "RCPT") == 0) {
			char *to = path_arg(arg, "TO:");

			if (!s.from || !to || s.nrcpt == MAX_RCPT) {
				free(to);
				send_str(&s, !s.from ? "503 5.5.1 MAIL first\r\n"
						     : "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
			} else {
				s.rcpt[s.nrcpt++] = to;
				send_str(&s, "250 2.1.5 Ok\r\n");
			}
		} else if (strcasecmp(line, "DATA") == 0) {
			if (!s.nrcpt)
				send_str(&s, "503 5.5.1 RCPT first\r\n");
			else
				do_data(k, &s);
		} else if (strcasecmp(line, "RSET") == 0) {
			reset(&s);
			send_str(&s, "250 2.0.0 Ok\r\n");
		} else if (strcasecmp(line, "NOOP") == 0) {
			send_str(&s, "250 2.0.0 Ok\r\n");
		} else if (strcasecmp(line, "QUIT") == 0) {
			send_str(&s, "221 2.0.0 Bye\r\n");
			break;
		} else {
			send_str(&s, "502 5.5.2 Command not recognized\r\n");
		}
	}
	reset(&s);
	close(fd);
}

static char *read_password(const char *path)
{
	char buf[1024];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return strdup(buf);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "password-file", required_argument, NULL, 'w' },
		{ "auth", required_argument, NULL, 'a' },
		{ "fail-transient", required_argument, NULL, 't' },
		{ "fail-permanent", required_argument, NULL, 'f' },
		{ "stall", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sink k = { .auth_plain = 1, .auth_login = 1 };
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	const char *pwfile = NULL;
	int port = 0, opt, lfd, one = 1;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': k.dir = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'u': k.user = optarg; break;
		case 'w': pwfile = optarg; break;
		case 'a':
			k.auth_plain = strcmp(optarg, "login") != 0;
			k.auth_login = strcmp(optarg, "plain") != 0;
			break;
		case 't': k.fail_transient = atol(optarg); break;
		case 'f': k.fail_permanent = atol(optarg); break;
		case 's': k.stall = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!k.dir || !!k.user != !!pwfile) {
		usage(stderr);
		return 2;
	}
	if (pwfile && !(k.password = read_password(pwfile))) {
		fprintf(stderr, "smtp_sink: cannot read '%s': %s\n", pwfile, strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 16) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0) {
		fprintf(stderr, "smtp_sink: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
		return 1;
	}
	printf("smtp_sink ready port=%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "smtp_sink: accept: %s\n", strerror(errno));
			return 1;
		}
		serve(&k, fd);
	}
}
