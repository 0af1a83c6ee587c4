"""Each role's home page: what waits for the owner, the exporter and the operator."""
