"""Mirror a local folder to S3.  `python -m s3_mirror push BUCKET DIR`."""
