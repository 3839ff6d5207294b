package command

import (
	"os"

	"golang.org/x/sys/unix"
)

// stopSignals end the command cleanly.
var stopSignals = []os.Signal{os.Interrupt, unix.SIGTERM, unix.SIGHUP}
