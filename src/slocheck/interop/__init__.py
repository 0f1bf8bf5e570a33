"""Other SLO formats in and out: OpenSLO and Sloth import, OpenSLO export. Pure: plain data in, documents out."""
