/*
 * A TLS session's socket I/O under GnuTLS: the reads it makes through a small read-ahead buffer, and its
 * sends corked into one write. The record layer asks for a record's 5-byte header and then for its body, two
 * recv() calls; one recv() into the buffer answers both. A connection taken out of the event loop while its
 * download is recorded (parked) answers the first read that finds nothing buffered with EAGAIN without a
 * recv(): libmicrohttpd adds the socket back to its epoll set on that EAGAIN, and epoll_ctl(EPOLL_CTL_ADD)
 * reports data that arrived meanwhile, so nothing is missed (docs/performance.md).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <gnutls/gnutls.h>
#include "forewarn/tls.h"

/* Holds any request record a partner's client sends (their headers are a few hundred bytes) and a
 * ClientHello; a longer read goes straight into GnuTLS's buffer. */
#define READ_AHEAD 4096

struct fw_tls_io {
	gnutls_session_t session;
	int fd;
	int parked; /* out of the event loop since the last EAGAIN: the next empty read may say EAGAIN */
	size_t off, len;
	unsigned char buf[READ_AHEAD];
};

static ssize_t pull(gnutls_transport_ptr_t ptr, void *data, size_t size)
{
	struct fw_tls_io *io = ptr;
	ssize_t r;

	if (io->off < io->len) {
		size_t n = io->len - io->off < size ? io->len - io->off : size;
		memcpy(data, io->buf + io->off, n);
		io->off += n;
		return (ssize_t)n;
	}
	if (io->parked) {
		io->parked = 0;
		gnutls_transport_set_errno(io->session, EAGAIN);
		return -1;
	}
	if (size >= sizeof(io->buf))
		return recv(io->fd, data, size, 0);
	r = recv(io->fd, io->buf, sizeof(io->buf), 0);
	if (r <= 0)
		return r;
	io->off = 0;
	io->len = (size_t)r;
	return pull(ptr, data, size);
}

/* GnuTLS asks whether a read would find data (in a handshake with a timeout, for instance). */
static int pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct fw_tls_io *io = ptr;
	struct pollfd p = {.fd = io->fd, .events = POLLIN};

	if (io->off < io->len)
		return 1;
	return poll(&p, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
}

int fw_tls_io_attach(void *session, int fd, struct fw_tls_io **ret)
{
	gnutls_transport_ptr_t recv_ptr, send_ptr;
	struct fw_tls_io *io = malloc(sizeof(*io));

	if (!io)
		return FW_ENOMEM;
	io->session = session;
	io->fd = fd;
	io->parked = 0;
	io->off = io->len = 0;
	/* Sends keep the transport libmicrohttpd gave them: only the receiving side changes. */
	gnutls_transport_get_ptr2(session, &recv_ptr, &send_ptr);
	gnutls_transport_set_ptr2(session, io, send_ptr);
	gnutls_transport_set_pull_function(session, pull);
	gnutls_transport_set_pull_timeout_function(session, pull_timeout);
	*ret = io;
	return 0;
}

void fw_tls_io_park(struct fw_tls_io *io)
{
	if (io)
		io->parked = 1;
}

void fw_tls_io_unpark(struct fw_tls_io *io)
{
	if (io)
		io->parked = 0;
}

void fw_tls_io_free(struct fw_tls_io *io)
{
	free(io);
}

void fw_tls_cork(void *session)
{
	gnutls_record_cork(session);
}

int fw_tls_uncork(void *session)
{
	/* Without GNUTLS_RECORD_WAIT: on a full socket it answers GNUTLS_E_AGAIN instead of spinning. */
	return gnutls_record_uncork(session, 0) < 0 ? FW_EIO : 0;
}
