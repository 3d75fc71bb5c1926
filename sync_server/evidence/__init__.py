"""Evidence files: the content-addressed store (`disk_store`, or `s3_store` for an object store), the
ways bytes arrive (the tablet's `chunked_uploads` and `batch_uploads`, the office's `staff_uploads`;
`partial_sweep` clears abandoned partials), what a file really is (`sniffing`), who may see it
(`access`), and how it is sent so that no browser runs it (`responses`, `previews`)."""
