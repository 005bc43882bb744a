"""The review console for support leads and admins, served by the web app under /console."""
