"""The request bodies of the knowledge-base API, for its OpenAPI schema: exact types, choices and
bounds, from the same constants the services check (the services validate, naming the field)."""

from __future__ import annotations

from rest_framework import serializers

from knowledge.answer_settings import DEFAULT_MIN_RELEVANCE, MAX_RERANK_TOP_N
from knowledge.chunking import CHUNKING_KINDS, MAX_CHUNK_TOKENS, MIN_CHUNK_TOKENS
from knowledge.models import KnowledgeBase
from knowledge.retrieval import MODES


class ChunkingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CHUNKING_KINDS)
    chunk_tokens = serializers.IntegerField(
        required=False, min_value=MIN_CHUNK_TOKENS, max_value=MAX_CHUNK_TOKENS
    )
    overlap_tokens = serializers.IntegerField(
        required=False, min_value=0, help_text="fixed only: less than half of chunk_tokens."
    )
    parent_tokens = serializers.IntegerField(
        required=False, help_text="hierarchical only: 2 to 8 times chunk_tokens."
    )


class AnsweringSerializer(serializers.Serializer):
    min_relevance = serializers.FloatField(
        required=False, min_value=-1, max_value=1, default=DEFAULT_MIN_RELEVANCE,
        help_text="Cosine similarity a passage needs to be given to the model and cited.",
    )  # fmt: skip
    rerank_model = serializers.CharField(
        required=False, allow_blank=True, help_text="A rerank model this tenant may use."
    )
    rerank_top_n = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_RERANK_TOP_N, default=4,
        help_text="With rerank_model: how many re-ranked passages the model is given.",
    )  # fmt: skip


class KnowledgeBaseChangeSerializer(serializers.Serializer):
    answering = AnsweringSerializer()


class NewKnowledgeBaseSerializer(serializers.Serializer):
    name = serializers.CharField(min_length=1, max_length=120)
    isolation = serializers.ChoiceField(choices=KnowledgeBase.Isolation.choices)
    embedding_model = serializers.CharField(help_text="An embedding model this tenant may use.")
    chunking = ChunkingSerializer(required=False, help_text="Default: recursive.")
    description = serializers.CharField(required=False, allow_blank=True)
    answering = AnsweringSerializer(required=False)


class FiltersSerializer(serializers.Serializer):
    document_ids = serializers.ListField(child=serializers.CharField(), required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    dated_from = serializers.DateField(required=False)
    dated_to = serializers.DateField(required=False)


class RetrieveSerializer(serializers.Serializer):
    query = serializers.CharField(min_length=1, max_length=4000)
    top_k = serializers.IntegerField(required=False, min_value=1, max_value=50, default=5)
    mode = serializers.ChoiceField(choices=MODES, required=False, default="vector")
    filters = FiltersSerializer(required=False)


class RetrieveAndGenerateSerializer(RetrieveSerializer):
    model = serializers.CharField(help_text="A chat model this tenant may use.")
    top_k = serializers.IntegerField(required=False, min_value=1, max_value=50, default=4)
    mode = serializers.ChoiceField(choices=MODES, required=False, default="hybrid")
    max_tokens = serializers.IntegerField(required=False, min_value=1, default=256)


class ShareSerializer(serializers.Serializer):
    tenant = serializers.SlugField(help_text="The slug of the tenant that may read it.")


class UploadSerializer(serializers.Serializer):
    file = serializers.ListField(child=serializers.FileField(), min_length=1)
    tags = serializers.CharField(required=False, help_text="Comma-separated.")
    dated = serializers.DateField(required=False)
