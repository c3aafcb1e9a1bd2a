// Highly available PostgreSQL clusters as code: Patroni, pgBackRest and PgBouncer, driven by Pulumi or the pgcluster CLI
package pgcluster
