"""Grafana dashboards: provision files into Grafana, and generate one from SLO files."""
