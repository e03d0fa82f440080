# Provider configuration for running this directory as a root module. When you call it as a
# child module, delete this file and configure both providers in your root module instead.

provider "aws" {
  region = var.region
}

# Same region and credentials as the aws provider: gwtrigger reads the API the aws provider
# manages. Unset arguments fall back to the same environment variables and profiles.
provider "gwtrigger" {
  region = var.region
}
