"""The public record beyond its host: backups, Akoma Ntoso documents, tracked-changes documents (CONTRACT §9)."""
