"""The encrypted vault: keys, the SQLCipher store, the schema, queries, backups and import."""
