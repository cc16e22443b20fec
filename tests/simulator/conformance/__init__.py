"""Conformance of the simulator to the protocol facts of docs/protocol.md."""
