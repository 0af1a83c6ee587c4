"""Who may not trade today, and the check the areas that trade make against it."""
