"""The web console: screens for employees, managers and HR over the services' HTTP APIs."""
