"""Exporters of the runtime doctor's figures, each an optional extra imported on demand.

* :mod:`asyncdoctor.export.prometheus` (extra ``prometheus``): a
  ``prometheus_client`` collector and a ``/metrics`` server
  (``asyncdoctor run --metrics ADDR``).
* :mod:`asyncdoctor.export.otel` (extra ``otel``): OpenTelemetry observable
  instruments through ``opentelemetry-api``.

Importing this package imports no exporter.
"""
