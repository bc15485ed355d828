"""After a refresh: the serving file BI tools read, the KPI report and the command line summary."""
