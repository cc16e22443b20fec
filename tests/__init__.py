"""Tests of MIoT Connect."""
