"""One translation function for every UI string: French is the source language, English follows."""
from __future__ import annotations

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

# French source string -> English. A missing entry falls back to the French text.
EN: dict[str, str] = {
    "Accueil": "Home",
    "Projets de loi": "Bills",
    "Se connecter": "Sign in",
    "Se déconnecter": "Sign out",
    "Créer un compte": "Create an account",
    "Identifiant": "Username",
    "Mot de passe": "Password",
    "Nom affiché": "Display name",
    "Adresse e-mail (facultative)": "E-mail address (optional)",
    "Type de compte": "Account type",
    "Citoyen ou citoyenne": "Citizen",
    "Organisation": "Organization",
    "Nom de l'organisation": "Organization name",
    "Intérêts déclarés": "Declared interests",
    "En consultation": "Open for consultation",
    "Brouillons": "Drafts",
    "Consultations closes": "Closed consultations",
    "brouillon": "draft",
    "ouvert": "open",
    "clos": "closed",
    "Sommaire": "Contents",
    "Article": "Article",
    "articles": "articles",
    "Versions de l'article": "Article versions",
    "version": "version",
    "Historique": "History",
    "Auteurs": "Authors",
    "Ouverture": "Opens",
    "Clôture": "Closes",
    "Aucun projet de loi pour l'instant.": "No bills yet.",
    "Compte créé par l'équipe": "Account created by staff",
    "Pour": "For",
    "Contre": "Against",
    "Erreur": "Error",
    "Page introuvable": "Page not found",
    "Retour à l'accueil": "Back to home",
    "Modifications": "Amendments",
    "Aller au contenu": "Skip to content",
    "Langue": "Language",
    "Texte de l'article": "Article text",
    "Connecté en tant que": "Signed in as",
    "Versions publiées du projet": "Published versions of the bill",
    "Aucune version publiée.": "No published version.",
    "Identifiant ou mot de passe incorrect.": "Wrong username or password.",
    "Votre compte est créé.": "Your account has been created.",
}


def translate(message: str, language: str = DEFAULT_LANGUAGE, **values: object) -> str:
    text = EN.get(message, message) if language == "en" else message
    return text.format(**values) if values else text
