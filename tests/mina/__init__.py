"""Tests of the MiNA connector against the simulator twins."""
