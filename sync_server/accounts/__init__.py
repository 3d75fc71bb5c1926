"""Who is signing in: accounts, logins and bearer tokens, password and PIN rules, and the growing
delays after failed sign-ins. Nothing here commits: the route owns the transaction."""
