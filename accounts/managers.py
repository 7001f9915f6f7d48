from typing import Any

from django.contrib.auth.base_user import BaseUserManager

from accounts.normalize import normalize_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, phone: str, password: str | None, **fields: Any):
        normalized = normalize_phone(phone)
        if normalized is None:
            raise ValueError(f"Not a Vietnamese phone number: {phone!r}")
        # Imported here: accounts.services imports the models, which import this.
        from accounts.services import user_name_set

        full_name = fields.pop("full_name", "")
        user = self.model(phone=normalized, **fields)
        user_name_set(user=user, full_name=full_name)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, phone: str, password: str | None = None, **fields: Any):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(phone, password, **fields)

    def create_superuser(self, phone: str, password: str | None = None, **fields: Any):
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(phone, password, **fields)
