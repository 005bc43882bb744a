"""Strategy evaluation composed from the container: sets from traces, stored thresholds, shadow runs, reports."""
