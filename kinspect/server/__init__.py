"""`kinspect server`: the client's fast path, sockets, the daemon and its forks."""
