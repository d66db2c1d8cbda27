"""What each property of accounts and notifications means, for the OpenAPI schema: applied to every
component that has the property (``marketplace.docs.describe_properties``). A key is a
property's name, or ``Component.name`` where one component means something else by it."""

FIELDS = {
    "username": "The login name: letters, digits and `@.+-_`, 150 characters at most; unique regardless of "
    "case and of look-alike characters from other scripts.",
    "password": "The password, exactly as typed (white space counts).",
    "old_password": "The current password.",
    "new_password": "The new password: at least 8 characters, not common, not only digits, not like the username.",
    "refresh": "A refresh token (a JWT) from a login or a refresh; good once.",
    "access": "An access token (a JWT, 60 minutes): `Authorization: Bearer <access>`.",
    "user": "The signed-in user.",
    "company": "The company the user acts for; null for a platform admin.",
    "RegisterInputRequest.company": "The company to create with the user, the user its first member.",
    "PatchedMeUpdateInputRequest.company": "The company's details to change; those left out stay as they are.",
    "is_staff": "Whether the user is a platform admin (the admin site and the admin API).",
    "Company.kind": "`sme` (posts jobs, the SME app) or `factory` (takes them, the factory app); set at registration.",
    "CompanyInputRequest.kind": "`sme` (posts jobs, the SME app) or `factory` (takes them, the factory app); "
    "cannot change later.",
    "Company.id": "The company's id.",
    "CompanyRef.id": "The company's id.",
    "User.id": "The user's id.",
    "Notification.id": "The notification's id.",
    "Notification.kind": "What it is about, for the app to switch on, e.g. `switched_offline`, `device_moved`.",
    "Notification.message": "The text for a person, Chinese and English.",
    "Notification.data": 'The ids it refers to, e.g. `{"offer_id": 88}`.',
    "Notification.seq": "Its place in the company's event stream (the `seq` of its `notification` event).",
}
