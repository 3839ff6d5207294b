// Session creation for nsh. This runs as an ELF constructor, before the Go
// runtime starts any thread, because unshare(CLONE_NEWUSER) refuses a
// multithreaded process and a mount namespace made later in Go would belong
// to one thread only.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "session.h"

int nsh_session_stage;
int nsh_session_errno;
int nsh_session_created;
int nsh_session_rootless;
int nsh_session_skip;

// nsh_wants_share follows nsh's command line
//	nsh [-eilnsvxIh] [--ns FILE] [--share] [--norc] [-c COMMAND | FILE [ARG ...]]
// and reports whether --share is among the options. Scanning stops at the
// first operand, at "--", at anything that is not an nsh option, and after
// the operand of -c: what follows belongs to the command.
int nsh_wants_share(int argc, char **argv) {
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a == NULL)
			return 0;
		if (strcmp(a, "--share") == 0)
			return 1;
		if (strcmp(a, "--") == 0)
			return 0;
		if (strcmp(a, "--ns") == 0) {
			i++;
			continue;
		}
		if (strncmp(a, "--", 2) == 0) {
			// --ns=FILE, --help, --version: options without a separate operand.
			continue;
		}
		if (a[0] != '-' || a[1] == '\0')
			return 0;
		int takes_command = 0;
		for (const char *p = a + 1; *p; p++) {
			if (*p == 'c')
				takes_command = 1;
			else if (strchr("eilnsvxIh", *p) == NULL)
				return 0;
		}
		if (takes_command)
			return 0;
	}
	return 0;
}

static int write_file(const char *path, const char *text) {
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = strlen(text);
	ssize_t w = write(fd, text, n);
	int saved = errno;
	close(fd);
	if (w != (ssize_t)n) {
		errno = w < 0 ? saved : EIO;
		return -1;
	}
	return 0;
}

static void fail(int stage) {
	nsh_session_stage = stage;
	nsh_session_errno = errno;
}

// drop_inheritable_caps clears the ambient and inheritable capability sets, so
// that programs this process executes get no capabilities from it. A nested
// nsh receives CAP_SYS_ADMIN as an ambient capability from its parent and
// must not pass it on.
static void drop_inheritable_caps(void) {
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) != 0)
		return;
	if (data[0].inheritable == 0 && data[1].inheritable == 0)
		return;
	data[0].inheritable = 0;
	data[1].inheritable = 0;
	syscall(SYS_capset, &hdr, data);
}

static int enter_user_namespace(void) {
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
		fail(NSH_STAGE_UNSHARE_USER);
		return -1;
	}
	nsh_session_rootless = 1;
	if (write_file("/proc/self/setgroups", "deny") != 0) {
		fail(NSH_STAGE_SETGROUPS);
		return -1;
	}
	snprintf(map, sizeof map, "%u %u 1", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) != 0) {
		fail(NSH_STAGE_UID_MAP);
		return -1;
	}
	snprintf(map, sizeof map, "%u %u 1", (unsigned)gid, (unsigned)gid);
	if (write_file("/proc/self/gid_map", map) != 0) {
		fail(NSH_STAGE_GID_MAP);
		return -1;
	}
	return 0;
}

__attribute__((constructor)) static void nsh_session_init(int argc, char **argv, char **envp) {
	(void)envp;
	drop_inheritable_caps();
	if (getenv("NSH_HELPER") != NULL) {
		nsh_session_skip = NSH_SKIP_HELPER;
		return;
	}
	if (nsh_wants_share(argc, argv)) {
		nsh_session_skip = NSH_SKIP_SHARE;
		return;
	}
	if (geteuid() == 0) {
		if (unshare(CLONE_NEWNS) != 0) {
			if (errno != EPERM) {
				fail(NSH_STAGE_UNSHARE_NS);
				return;
			}
			// Root without CAP_SYS_ADMIN (a container): go the user
			// namespace way, mapping root onto itself.
			if (enter_user_namespace() != 0)
				return;
		}
	} else if (enter_user_namespace() != 0) {
		return;
	}
	// Nothing the session mounts may ever reach the host.
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) != 0) {
		fail(NSH_STAGE_SLAVE);
		return;
	}
	nsh_session_created = 1;
}
