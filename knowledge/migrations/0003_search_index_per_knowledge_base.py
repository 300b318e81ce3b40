"""One HNSW index per knowledge base (knowledge.search_indexes) instead of one per embedding size:
the existing knowledge bases of this schema get theirs, then the per-size indexes of 0002 go,
so that an insert maintains one graph, not two. Runs in every schema (django-tenants): siloed
knowledge bases in their tenant's, pooled ones in public."""

from typing import Any

from django.db import connection, migrations

SIZES = (384, 768, 1024)


def _knowledge_bases(apps: Any) -> list[tuple[Any, int]]:
    model = apps.get_model("knowledge", "KnowledgeBase")
    return list(model.objects.values_list("pk", "embedding_dimensions"))


def create_indexes(apps: Any, schema_editor: Any) -> None:
    from knowledge.search_indexes import create_search_index

    for kb_id, dimensions in _knowledge_bases(apps):
        create_search_index(schema=connection.schema_name, kb_id=kb_id, dimensions=dimensions)


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    from knowledge.search_indexes import drop_search_index

    for kb_id, _ in _knowledge_bases(apps):
        drop_search_index(schema=connection.schema_name, kb_id=kb_id)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_indexes")]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
        *(
            migrations.RunSQL(
                sql=f"DROP INDEX knowledge_chunk_hnsw_{size}",
                reverse_sql=(
                    f"CREATE INDEX knowledge_chunk_hnsw_{size} ON knowledge_chunk "
                    f"USING hnsw ((embedding::vector({size})) vector_cosine_ops) "
                    f"WHERE dimensions = {size} AND NOT is_parent"
                ),
            )
            for size in SIZES
        ),
    ]
