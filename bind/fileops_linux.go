package bind

import (
	"errors"
	"os"
)

// getwd returns the working directory as n sees it.
func (n *Namespace) getwd() (string, error) {
	var dir string
	err := n.Do(func() error {
		var err error
		dir, err = os.Getwd()
		return err
	})
	return dir, err
}

// checkDir makes sure dir is a directory in n.
func (n *Namespace) checkDir(dir string) error {
	return n.Do(func() error {
		st, err := os.Stat(dir)
		if err != nil {
			return pathErr(dir, errors.Unwrap(err))
		}
		if !st.IsDir() {
			return pathErr(dir, errors.New("not a directory"))
		}
		return nil
	})
}

// readFile reads a file in n.
func (n *Namespace) readFile(name string) ([]byte, error) {
	var b []byte
	err := n.Do(func() error {
		var err error
		b, err = os.ReadFile(name)
		if err != nil {
			return pathErr(name, errors.Unwrap(err))
		}
		return nil
	})
	return b, err
}
