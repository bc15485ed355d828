"""What every stage shares: settings, the refresh lock, progress output, partitions, pause points."""
