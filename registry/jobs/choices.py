from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


#: The states a job does not leave.
FINISHED = (JobStatus.DONE, JobStatus.FAILED)
