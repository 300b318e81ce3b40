"""Guardrails' Celery tasks (invocation logging), registered for the worker."""

from guardrails.invocation_log import purge_invocations, store_invocation

__all__ = ["purge_invocations", "store_invocation"]
