"""The provider wing: one interface (`base`), its wire types (`types`, `errors`), each provider
(local, OpenAI-compatible, Bedrock, SageMaker) and which one serves a catalogue model
(`selection`). The gateway and guardrails call providers; providers call neither."""
