"""Tests of the cloud connector library (custom_components/miot_connect/miot)."""
