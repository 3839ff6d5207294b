// Stages of session creation, reported by session.Err.
enum {
	NSH_STAGE_NONE,
	NSH_STAGE_UNSHARE_NS,
	NSH_STAGE_UNSHARE_USER,
	NSH_STAGE_SETGROUPS,
	NSH_STAGE_UID_MAP,
	NSH_STAGE_GID_MAP,
	NSH_STAGE_SLAVE,
};

// Why no session was made on purpose.
enum {
	NSH_SKIP_NONE,
	NSH_SKIP_SHARE,
	NSH_SKIP_HELPER,
};

extern int nsh_session_stage;
extern int nsh_session_errno;
extern int nsh_session_created;
extern int nsh_session_rootless;
extern int nsh_session_skip;

int nsh_wants_share(int argc, char **argv);
