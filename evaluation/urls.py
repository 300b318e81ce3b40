"""Evaluation datasets, jobs, the curation of feedback, and feedback on API responses."""

from django.urls import path

from evaluation import api, views

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    path("evaluations/", views.evaluations_page, name="evaluations"),
    path("evaluations/datasets/", views.upload_dataset, name="evaluation-upload"),
    path("evaluations/datasets/<uuid:dataset_id>/", views.dataset_page, name="evaluation-dataset"),
    path("evaluations/jobs/", views.start_job, name="evaluation-start"),
    path("evaluations/jobs/<uuid:job_id>/", views.job_page, name="evaluation-job"),
    path(
        "evaluations/jobs/<uuid:job_id>/results.<str:fmt>",
        views.download_results,
        name="evaluation-results",
    ),
    path("evaluations/feedback/", views.curate_feedback_page, name="evaluation-curate"),
    path("v1/feedback", api.feedback, name="api-feedback"),
]
