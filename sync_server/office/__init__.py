"""The agency's office work before and beside the field: a case's intake from the entrustment, the
conformity check of its materials, the 委托名单 roster, letter requests, staff administration and the
hand-over when an account closes. Nothing here commits: the route owns the transaction."""
