from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "registry.onboarding"
    label = "onboarding"
    verbose_name = "Vendor onboarding"
