"""A task that breaks in the middle, as a bug in the code would (for test_jobs)."""

from django_tasks import task

from registry.jobs.services import job_run


@task()
def breaking_job(*, job_id: int) -> None:
    def work(job, progress):
        progress(3, 10)
        raise KeyError("settings.SECRET_PATH /srv/registry/internal")

    job_run(job_id, work)
