"""What identity announces to the floors above it. The audit log (a floor above, so identity
cannot call it) records each of these in the transaction of the write that sent it."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `account` (the ServiceAccount), `actor` and `state` (service_account_state).
service_account_registered = Signal()
# Sent with `account`, `actor`, `before` and `after`.
service_account_revoked = Signal()
# Sent with `assignee` (a Membership or a ServiceAccount), `actor`, `before` and `after`
# (identity.business_units.units_state).
business_units_assigned = Signal()
# Sent with `membership`, `action` ("added", "role_changed" or "removed", sent before the row
# goes), `actor`, `before` and `after` (each None or {"user", "role"}).
membership_changed = Signal()
