"""Search indexes that Django's model options cannot express: HNSW (cosine) per embedding size,
as partial expression indexes (a chunk's vector is cast to its knowledge base's size), and a
GIN full-text index for hybrid retrieval. Queries repeat these exact expressions."""

from django.db import migrations

SIZES = (384, 768, 1024)

FORWARD = [
    f"CREATE INDEX knowledge_chunk_hnsw_{size} ON knowledge_chunk "
    f"USING hnsw ((embedding::vector({size})) vector_cosine_ops) "
    f"WHERE dimensions = {size} AND NOT is_parent"
    for size in SIZES
] + [
    "CREATE INDEX knowledge_chunk_fulltext ON knowledge_chunk "
    "USING gin (to_tsvector('english', text)) WHERE NOT is_parent"
]
BACKWARD = [f"DROP INDEX knowledge_chunk_hnsw_{size}" for size in SIZES] + [
    "DROP INDEX knowledge_chunk_fulltext"
]


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunSQL(sql=forward, reverse_sql=backward)
        for forward, backward in zip(FORWARD, BACKWARD, strict=True)
    ]
